"""Where user data lives. Read at call time (not import time) so tests and users can point it elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "bilingual-reader"


def home() -> Path:
    """The folder holding the database and settings: ``BIREADER_HOME`` or the platform data dir."""
    env = os.environ.get("BIREADER_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def db_path() -> Path:
    return home() / "library.sqlite"
