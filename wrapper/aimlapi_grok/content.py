"""Content parts for a user message: text, images and files, checked before they are sent.

``text_part("...")``, ``image_part(url, detail)``, ``image_part_from_path(path)``,
``file_part_from_path(path)`` and their ``..._from_bytes`` variants return typed
dicts (``TextPartDict``, ``ImagePartDict``, ``FilePartDict``) to put in a message's
``content`` list; ``IMAGE_DETAILS`` lists the image detail levels.
"""

from ._content import (
    IMAGE_DETAILS,
    FilePartDict,
    ImagePartDict,
    TextPartDict,
    file_part,
    file_part_from_bytes,
    file_part_from_path,
    image_part,
    image_part_from_bytes,
    image_part_from_path,
    text_part,
)

__all__ = [
    "IMAGE_DETAILS",
    "FilePartDict",
    "ImagePartDict",
    "TextPartDict",
    "file_part",
    "file_part_from_bytes",
    "file_part_from_path",
    "image_part",
    "image_part_from_bytes",
    "image_part_from_path",
    "text_part",
]
