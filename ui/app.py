"""GUI entry point: ``bireader`` (library, last document) and ``bireader open FILE [--screenshot]``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

DEFAULT_SIZE = (1400, 900)
SCREENSHOT_TIMEOUT_S = 60.0


class UsageError(Exception):
    pass


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bireader", add_help=True)
    sub = parser.add_subparsers(dest="command")
    op = sub.add_parser("open", help="import an article and open it in the reader window")
    op.add_argument("file")
    op.add_argument("--screenshot", metavar="OUT.png")
    op.add_argument("--size", metavar="WxH")
    args = parser.parse_args(list(argv))
    args.size_wh = parse_size(getattr(args, "size", None))
    return args


def parse_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r} is not WIDTHxHEIGHT: use e.g. --size 1400x900") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise UsageError(f"--size {text!r} is out of range: use 320x240 up to 10000x10000")
    return w, h


def no_display() -> bool:
    """On Linux without X11, Wayland or a chosen Qt platform, Qt would abort: detect it first."""
    if not sys.platform.startswith("linux"):
        return False
    return not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run(argv: Sequence[str]) -> int:
    """Run the reader window; returns the process exit code."""
    try:
        args = parse_args(argv)
    except UsageError as err:
        print(f"bireader: {err}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # argparse: --help or a usage error already printed
        return int(exc.code or 0)
    screenshot = getattr(args, "screenshot", None)
    if screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if no_display():
        print(
            "bireader: no display available (DISPLAY and WAYLAND_DISPLAY are unset): run it "
            "in a desktop session, or render offscreen with "
            "`bireader open FILE --screenshot OUT.png`.",
            file=sys.stderr,
        )
        return 1

    from PySide6.QtWidgets import QApplication

    from reader.errors import ReaderError

    _quiet_offscreen_warnings()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "bireader"])
    app.setApplicationName("Bilingual Reader")
    from ui.main_window import MainWindow

    try:
        window = MainWindow()
    except ReaderError as err:
        print(f"bireader: {err}", file=sys.stderr)
        return 1
    if args.size_wh:
        window.resize(*args.size_wh)
    elif screenshot:
        window.resize(*DEFAULT_SIZE)
    if args.command == "open":
        if screenshot:
            return _screenshot(window, args.file, screenshot)
        window.show()
        window.import_file(args.file)
    else:
        window.show()
        window.restore_last_document()
    return app.exec()


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns on every window that it cannot propagate size hints: noise
    in `--screenshot` runs, not a problem. Every other Qt message still reaches stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _screenshot(window, path: str, out: str) -> int:
    """Import, wait for the translation (60 s at most), save the window as a PNG, exit."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    errors: list[str] = []
    window.import_finished.connect(lambda r: isinstance(r, BaseException) and errors.append(str(r)))
    window.show()
    window.import_file(path)
    deadline = time.monotonic() + SCREENSHOT_TIMEOUT_S
    while window.is_busy() and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    QCoreApplication.processEvents()
    try:
        if errors:
            print(f"bireader: {errors[0]}", file=sys.stderr)
            return 1
        if window.is_busy():
            print(
                "bireader: translation did not finish within 60 s; the screenshot shows what was done.",
                file=sys.stderr,
            )
        if window.last_error_dialog is not None:
            window.last_error_dialog.close()
        image = window.grab()
        if not image.save(out):
            print(
                f"bireader: could not write the screenshot to {out}: check the folder exists "
                "and is writable.",
                file=sys.stderr,
            )
            return 1
        print(f"wrote {out} ({image.width()}x{image.height()})")
        return 0
    finally:
        window.close()
