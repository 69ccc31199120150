"""``python -m bot``: run the Telegram bot with settings from the environment and ``.env``."""

from __future__ import annotations

import sys

from .app import run_bot
from .settings import Settings, SettingsError


def main() -> int:
    try:
        run_bot(Settings.from_env())
    except SettingsError as err:
        print(f"staffbot: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
