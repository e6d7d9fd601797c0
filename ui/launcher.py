"""The `bireader` command: the core's command line, with the reader window plugged in.

The core (``reader.cli``) never imports the GUI, so the window reaches it from here; Qt is imported
only when a command opens the window, so `bireader translate` and friends start without it.
"""

from __future__ import annotations

from collections.abc import Sequence


def run_window(argv: list[str]) -> int:
    from ui.app import run

    return run(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from reader.cli import main as cli_main

    return cli_main(argv, launch_window=run_window)
