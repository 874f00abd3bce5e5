"""Content parts for a user message: text, images and files, checked before they are sent.

``text_part("...")``, ``image_part(url, detail)``, ``image_part_from_path(path)``,
``file_part_from_path(path)`` and their ``..._from_bytes`` variants return typed
dicts (``TextPartDict``, ``ImagePartDict``, ``FilePartDict``) to put in a message's
``content`` list; ``IMAGE_DETAILS`` lists the image detail levels.
"""

# The namespace is exactly _content's public names.
from ._content import *  # noqa: F403
from ._content import __all__  # noqa: F401
