"""Placeholder for the OCR engine (replaced by the OCR work): the API other readers call."""

from __future__ import annotations

MISSING = ("no text layer; to read scans install the OCR extra: pip install 'staffbot[ocr]'")


def available() -> bool:
    """True when the optional OCR engine is installed."""
    return False


def image_lines(image: bytes) -> list[str]:
    """The text lines of an image (PNG/JPEG bytes), top to bottom, in reading order."""
    raise RuntimeError(MISSING)
