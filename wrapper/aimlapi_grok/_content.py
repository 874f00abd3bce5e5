"""Builders for the content parts of a user message: text, image_url, file.

Each returns the plain JSON dict the API takes (it validates against the
spec's ``TextContentPart`` / ``ImageUrlContentPart`` / ``FileContentPart``)
after checking its input, so a mistake fails here with a message naming the
field rather than as a 400 from the API::

    messages = [{"role": "user", "content": [
        text_part("What is in this picture?"),
        image_part_from_path("cat.png", detail="low"),
    ]}]
"""

from __future__ import annotations

import base64
import os
import re
from typing import Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

__all__ = [
    "IMAGE_DETAILS",
    "IMAGE_MIME_TYPES",
    "FilePartDict",
    "ImageDetail",
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

ImageDetail = Literal["auto", "low", "high"]
IMAGE_DETAILS: tuple[ImageDetail, ...] = ("auto", "low", "high")
# The spec: "Currently supports JPG/JPEG, PNG, GIF, and WEBP formats."
IMAGE_MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
PDF_MIME_TYPE = "application/pdf"  # the spec: "Only PDF format is supported."

_DATA_URL_HEADER = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?P<params>(;[\w.+-]+=[^;,]*)*);base64,", re.IGNORECASE)
_MIME = re.compile(r"[\w.+-]+/[\w.+-]+")
_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": PDF_MIME_TYPE,
}


class TextPartDict(TypedDict):
    type: Literal["text"]
    text: str


class ImageUrlDict(TypedDict):
    url: str
    detail: NotRequired[ImageDetail]


class ImagePartDict(TypedDict):
    type: Literal["image_url"]
    image_url: ImageUrlDict


class FileInputDict(TypedDict, total=False):
    file_data: str
    filename: str


class FilePartDict(TypedDict):
    type: Literal["file"]
    file: FileInputDict


def text_part(text: str) -> TextPartDict:
    """A text part."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return {"type": "text", "text": text}


def image_part(url: str, detail: ImageDetail | None = None) -> ImagePartDict:
    """An image by URL: ``http(s)://...`` or a ``data:image/...;base64,...`` URL."""
    if not isinstance(url, str):
        raise TypeError(f"image url must be a str, not {type(url).__name__}")
    if url[:5].lower() == "data:":
        header = _DATA_URL_HEADER.match(url)
        if header is None:
            raise ValueError(f"image url {_short(url)} is not a base64 data URL (data:<mime>;base64,<data>)")
        _check_image_mime(header.group("mime").lower(), "the data URL's media type")
        if len(url) == header.end():
            raise ValueError("image url is a data URL with no data after 'base64,'")
    else:
        problem = image_url_problem(url)
        if problem is not None:
            raise ValueError(problem)
    image_url: ImageUrlDict = {"url": url}
    if detail is not None:
        if detail not in IMAGE_DETAILS:
            raise ValueError(f"detail {detail!r} is not allowed; use one of {', '.join(IMAGE_DETAILS)} (or None)")
        image_url["detail"] = detail
    return {"type": "image_url", "image_url": image_url}


def image_url_problem(url: str) -> str | None:
    """Why `url` is neither an http(s) URL with a host nor a data URL (the forms the API takes), or None."""
    if url[:5].lower() == "data:":
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"image url {_short(url)} must be an http(s) URL or a data:image/...;base64 URL"
    return None


def image_part_from_bytes(data: bytes, mime: str | None = None, *, detail: ImageDetail | None = None) -> ImagePartDict:
    """An image sent inline as a base64 data URL; `mime` is detected from the bytes when not given."""
    _check_bytes(data, "image data")
    detected = sniff_image_mime(data)
    if mime is None:
        if detected is None:
            raise ValueError(
                f"cannot tell the image format from its bytes; pass mime= (one of {', '.join(IMAGE_MIME_TYPES)})"
            )
        mime = detected
    else:
        mime = mime.lower()
        _check_image_mime(mime, "mime")
        if detected is not None and detected != mime:
            raise ValueError(f"mime is {mime!r} but the bytes are {detected!r}")
    return image_part(f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", detail)


def image_part_from_path(path: str | os.PathLike[str], *, detail: ImageDetail | None = None) -> ImagePartDict:
    """An image file sent inline as a base64 data URL (format from its bytes, else its extension)."""
    with open(path, "rb") as handle:
        data = handle.read()
    mime = sniff_image_mime(data) or _EXTENSIONS.get(os.path.splitext(os.fspath(path))[1].lower())
    if mime is None:
        raise ValueError(f"cannot tell the image format of {os.fspath(path)!r}; use image_part_from_bytes(data, mime)")
    return image_part_from_bytes(data, mime, detail=detail)


def file_part(file_data: str | None = None, filename: str | None = None) -> FilePartDict:
    """A file part: base64 `file_data` (a ``data:application/pdf;base64,...`` URL) and/or its `filename`."""
    if file_data is None and filename is None:
        raise ValueError("file_part needs file_data, filename, or both")
    file: FileInputDict = {}
    if file_data is not None:
        if not isinstance(file_data, str):
            raise TypeError(f"file_data must be a str (base64 text), not {type(file_data).__name__}")
        if not file_data:
            raise ValueError("file_data is empty")
        file["file_data"] = file_data
    if filename is not None:
        if not isinstance(filename, str):
            raise TypeError(f"filename must be a str, not {type(filename).__name__}")
        if not filename:
            raise ValueError("filename is empty")
        file["filename"] = filename
    return {"type": "file", "file": file}


def file_part_from_bytes(data: bytes, filename: str, mime: str = PDF_MIME_TYPE) -> FilePartDict:
    """A file sent inline as a base64 data URL (the API reads PDF)."""
    _check_bytes(data, "file data")
    if not isinstance(mime, str) or not _MIME.fullmatch(mime):
        raise ValueError(f"mime {mime!r} is not a media type such as {PDF_MIME_TYPE!r}")
    if mime.lower() == PDF_MIME_TYPE and not data.startswith(b"%PDF-"):
        raise ValueError(f"{filename!r}: mime is {PDF_MIME_TYPE!r} but the data does not start with %PDF-")
    return file_part(f"data:{mime.lower()};base64,{base64.b64encode(data).decode('ascii')}", filename)


def file_part_from_path(path: str | os.PathLike[str], mime: str | None = None) -> FilePartDict:
    """A file sent inline, named after its base name (mime from its extension, else PDF)."""
    with open(path, "rb") as handle:
        data = handle.read()
    name = os.path.basename(os.fspath(path))
    media_type = mime or _EXTENSIONS.get(os.path.splitext(name)[1].lower(), PDF_MIME_TYPE)
    return file_part_from_bytes(data, name, media_type)


def sniff_image_mime(data: bytes) -> str | None:
    """The image media type from the leading bytes (PNG, JPEG, GIF, WEBP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_image_mime(mime: str, what: str) -> None:
    if mime not in IMAGE_MIME_TYPES:
        raise ValueError(f"{what} {mime!r} is not a supported image type; use one of {', '.join(IMAGE_MIME_TYPES)}")


def _check_bytes(data: object, what: str) -> None:
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"{what} must be bytes, not {type(data).__name__}")
    if not data:
        raise ValueError(f"{what} is empty")


def _short(url: str) -> str:
    return repr(url if len(url) <= 80 else url[:77] + "...")
