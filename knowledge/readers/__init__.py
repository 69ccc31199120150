"""One module per file format; each has ``read(data: bytes, name: str, info: ReadInfo)`` returning
``list[SourceDocument]`` made of the blocks of :mod:`knowledge.blocks`, raising ``Unloadable``
with a short reason. :mod:`knowledge.loaders` picks the module by suffix.

The optional parts take three settings: ``STAFFBOT_OCR`` (off turns OCR off),
``STAFFBOT_SOFFICE`` (the LibreOffice program) and ``STAFFBOT_SOFFICE_TIMEOUT`` (seconds). The bot
and the CLI pass the values they read (``.env`` included) to :func:`configure`; otherwise they come
from the environment.
"""

from __future__ import annotations

import os

__all__ = ["configure", "setting", "SETTING_NAMES"]

SETTING_NAMES = ("STAFFBOT_OCR", "STAFFBOT_SOFFICE", "STAFFBOT_SOFFICE_TIMEOUT")
_configured: dict[str, str] = {}


def configure(**values: str) -> None:
    """Set the readers' settings by name (``configure(STAFFBOT_OCR="off")``); "" = unset."""
    unknown = set(values) - set(SETTING_NAMES)
    if unknown:
        raise ValueError(f"unknown reader settings: {', '.join(sorted(unknown))}")
    _configured.update(values)


def setting(name: str) -> str:
    """The configured value of a reader setting, else the environment's, stripped ("" if unset)."""
    value = _configured.get(name)
    if not value:
        value = os.environ.get(name, "")
    return value.strip()
