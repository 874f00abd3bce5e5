"""Content part builders: each part validates against the spec's schema; bad input is refused by name."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from aimlapi_grok._content import sniff_image_mime
from aimlapi_grok._schema import violations
from aimlapi_grok.content import (
    file_part,
    file_part_from_bytes,
    file_part_from_path,
    image_part,
    image_part_from_bytes,
    image_part_from_path,
    text_part,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
GIF = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def test_text_part_matches_the_spec() -> None:
    """text_part builds a TextContentPart."""
    part = text_part("Describe this.")
    assert part == {"type": "text", "text": "Describe this."}
    assert violations("TextContentPart", part) == []


def test_text_part_refuses_non_text() -> None:
    """A non-str text raises TypeError."""
    with pytest.raises(TypeError, match="text must be a str, not bytes"):
        # typing: bytes where text is expected: the misuse under test
        text_part(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("detail", [None, "auto", "low", "high"])
def test_image_part_by_url_matches_the_spec(detail: str | None) -> None:
    """image_part with an https URL (and each allowed detail) builds an ImageUrlContentPart."""
    # typing: detail is drawn from IMAGE_DETAILS (str); the Literal parameter cannot know it
    part = image_part("https://example.com/cat.png", detail)  # type: ignore[arg-type]
    expected_url = {"url": "https://example.com/cat.png"} | ({"detail": detail} if detail else {})
    assert part == {"type": "image_url", "image_url": expected_url}
    assert violations("ImageUrlContentPart", part) == []


def test_bad_detail_names_the_allowed_values() -> None:
    """A detail outside auto/low/high raises ValueError listing the allowed values."""
    with pytest.raises(ValueError, match="detail 'medium' is not allowed; use one of auto, low, high"):
        # typing: a detail outside the Literal: the misuse under test
        image_part("https://example.com/a.png", "medium")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a.png", "must be an http\\(s\\) URL or a data:image"),
        ("example.com/a.png", "must be an http\\(s\\) URL"),
        ("https://", "must be an http\\(s\\) URL"),
        ("data:image/png,notbase64", "is not a base64 data URL"),
        ("data:text/plain;base64,aGk=", "'text/plain' is not a supported image type"),
        ("data:image/png;base64,", "no data after 'base64,'"),
    ],
)
def test_image_part_refuses_bad_urls(url: str, message: str) -> None:
    """URLs that are neither http(s) nor a base64 image data URL raise ValueError saying why."""
    with pytest.raises(ValueError, match=message):
        image_part(url)


@pytest.mark.parametrize(
    ("data", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")]
)
def test_image_from_bytes_detects_the_format_and_round_trips(data: bytes, mime: str) -> None:
    """The format is detected from the bytes; the data URL decodes back to the same bytes."""
    part = image_part_from_bytes(data, detail="low")
    url = part["image_url"]["url"]
    assert url.startswith(f"data:{mime};base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == data
    assert part["image_url"]["detail"] == "low"
    assert violations("ImageUrlContentPart", part) == []
    assert sniff_image_mime(data) == mime


def test_image_from_bytes_refuses_unknown_or_mismatched_formats() -> None:
    """Unrecognised bytes need mime=; a mime that contradicts the bytes, or is not an image, is refused."""
    with pytest.raises(ValueError, match="cannot tell the image format"):
        image_part_from_bytes(b"not an image")
    with pytest.raises(ValueError, match="mime is 'image/jpeg' but the bytes are 'image/png'"):
        image_part_from_bytes(PNG, "image/jpeg")
    with pytest.raises(ValueError, match="'image/bmp' is not a supported image type"):
        image_part_from_bytes(b"BM....", "image/bmp")
    with pytest.raises(ValueError, match="image data is empty"):
        image_part_from_bytes(b"")
    with pytest.raises(TypeError, match="image data must be bytes, not str"):
        # typing: a str where bytes are expected: the misuse under test
        image_part_from_bytes("iVBOR")  # type: ignore[arg-type]
    assert image_part_from_bytes(b"raw-but-declared", "image/png")["image_url"]["url"].startswith("data:image/png")


def test_image_from_path_reads_the_file(tmp_path: Path) -> None:
    """image_part_from_path reads the file and detects its format."""
    path = tmp_path / "photo.bin"
    path.write_bytes(JPEG)
    part = image_part_from_path(path, detail="high")
    assert part["image_url"]["url"] == "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    assert violations("ImageUrlContentPart", part) == []


def test_file_part_matches_the_spec() -> None:
    """file_part with data and name builds a FileContentPart; either one alone is allowed."""
    data_url = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    for part in (file_part(data_url, "report.pdf"), file_part(file_data=data_url), file_part(filename="report.pdf")):
        assert part["type"] == "file"
        assert violations("FileContentPart", part) == []
    assert file_part(data_url, "report.pdf")["file"] == {"file_data": data_url, "filename": "report.pdf"}


def test_file_part_refuses_empty_or_wrongly_typed_input() -> None:
    """Neither field, an empty field or bytes in place of text raise a clear error."""
    with pytest.raises(ValueError, match="needs file_data, filename, or both"):
        file_part()
    with pytest.raises(ValueError, match="file_data is empty"):
        file_part("")
    with pytest.raises(TypeError, match="file_data must be a str"):
        # typing: bytes where a base64 str is expected: the misuse under test
        file_part(PDF)  # type: ignore[arg-type]


def test_file_from_bytes_and_path_make_a_pdf_data_url(tmp_path: Path) -> None:
    """PDF bytes become a data:application/pdf;base64 URL named after the file."""
    part = file_part_from_bytes(PDF, "report.pdf")
    assert part["file"]["file_data"] == "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    assert part["file"]["filename"] == "report.pdf"
    path = tmp_path / "invoice.pdf"
    path.write_bytes(PDF)
    assert file_part_from_path(path) == file_part_from_bytes(PDF, "invoice.pdf")
    assert violations("FileContentPart", part) == []


def test_file_from_bytes_refuses_non_pdf_bytes_declared_as_pdf() -> None:
    """Bytes that are not a PDF under the PDF media type raise ValueError; a bad mime too."""
    with pytest.raises(ValueError, match="does not start with %PDF-"):
        file_part_from_bytes(PNG, "fake.pdf")
    with pytest.raises(ValueError, match="not a media type"):
        file_part_from_bytes(PDF, "x.pdf", mime="pdf")


def test_parts_combine_into_a_valid_user_message() -> None:
    """Text, image and file parts together form a UserMessage the spec accepts."""
    message = {
        "role": "user",
        "content": [
            text_part("Compare the photo with the report."),
            image_part_from_bytes(PNG),
            file_part_from_bytes(PDF, "report.pdf"),
        ],
    }
    assert violations("UserMessage", message) == []
