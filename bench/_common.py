"""What every benchmark shares: the sample article and a throw-away home for all data folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt"))
if str(ROOT) not in sys.path:  # run as `python bench/x.py` without installing the project
    sys.path.insert(0, str(ROOT))


def prepare_environment(tmp: Path) -> None:
    """Point every data folder at ``tmp`` before argostranslate (which reads them on import) or Qt
    is imported, so a benchmark never touches the user's library or packages."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(tmp / var.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "packages")
    os.environ["BIREADER_HOME"] = str(tmp / "home")
