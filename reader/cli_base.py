"""What every `bireader` command module shares: exit statuses, the usage error, warnings, progress.

Kept apart from ``reader.cli`` so that the command modules (``cli_library``, ``cli_notes``,
``cli_models``) and the parser that assembles them can all import it without a cycle.
"""

from __future__ import annotations

import sys
import time

from reader.errors import ReaderError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
ALLOW_TEST_PACKAGE = "BIREADER_ALLOW_TEST_PACKAGE"


class UsageError(ReaderError):
    """Arguments that parse but make no sense together: reported argparse-style, exit status 2."""


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, unit: str = "", stream=None) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.stream.isatty():  # a log or a pipe gets the summary line, not carriage returns
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {_amount(done, self.unit)}"
                          f" / {_amount(total, self.unit)}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _amount(n: int, unit: str) -> str:
    if unit == "B":
        return f"{n / 1e6:.1f} MB"
    return f"{n}{unit}"


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _model_key_or_none() -> str | None:
    """The model key the library's 'translated' counts refer to, if an nl→en package is installed."""
    from models.engine import model_key_for
    from models.packages import find_package

    try:
        return model_key_for(find_package("nl", "en"))
    except ReaderError:
        return None
