"""GUI entry point: ``bireader`` (library, last document) and ``bireader open FILE [--screenshot]``."""

from __future__ import annotations

import argparse
import ctypes
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

DEFAULT_SIZE = (1400, 900)
SCREENSHOT_TIMEOUT_S = 60.0
X11_BASE_PORT = 6000
REMOTE_DISPLAY_TIMEOUT_S = 0.5
# Libraries Qt's xcb platform plugin links that PySide6 does not ship, with the Debian/Ubuntu
# package of each. Without one, Qt aborts with "could not load the Qt platform plugin xcb"; their
# own dependencies (libxcb1, libxcb-randr0…) come with these packages.
QT_X11_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


class UsageError(Exception):
    """A bad command-line argument (exit status 2), told apart from a failure to run (1)."""


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


def display_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why Qt could not open a window here (None: it can), checked cheaply before Qt starts, as
    Qt would abort the process on Linux without a reachable X11 or Wayland display: a socket file
    or two, at most a 0.5 s TCP connect for a remote X display."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    platforms = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    if any(p not in ("xcb", "wayland", "wayland-egl") for p in platforms):
        return None  # offscreen, minimal, vnc, eglfs, linuxfb…: no display server needed
    want_x = not platforms or "xcb" in platforms
    want_wayland = not platforms or any(p.startswith("wayland") for p in platforms)
    problems = []
    if want_wayland and env.get("WAYLAND_DISPLAY"):
        problem = _wayland_problem(env)
        if problem is None:
            return None
        problems.append(problem)
    if want_x and env.get("DISPLAY"):
        problem = _x11_problem(env["DISPLAY"])
        if problem is None:
            return None
        problems.append(problem)
    if problems:
        return "; ".join(problems)
    wanted = " or ".join(v for v, on in (("DISPLAY", want_x), ("WAYLAND_DISPLAY", want_wayland)) if on)
    return f"no display available ({wanted} unset)"


def can_load_library(soname: str) -> bool:
    """Whether the dynamic loader finds and loads ``soname``, as Qt's plugin loader would."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def would_use_xcb(env: Mapping[str, str]) -> bool:
    """Qt would start on X11: the platform is xcb (chosen, or the default with only DISPLAY set)."""
    if not sys.platform.startswith("linux") or not env.get("DISPLAY"):
        return False
    platforms = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";") if p.strip()]
    if platforms:
        return platforms[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")  # on a Wayland session Qt picks its wayland plugin first


def missing_x11_packages(load: Callable[[str], bool] = can_load_library) -> list[str]:
    """The apt packages of the Qt X11 libraries that ``load`` cannot load, in a stable order."""
    return sorted({package for soname, package in QT_X11_LIBRARIES.items() if not load(soname)})


def x11_library_problem(
    env: Mapping[str, str] | None = None, load: Callable[[str], bool] = can_load_library
) -> str | None:
    """One line saying what to install when Qt would abort for want of an X11 library (None: fine)."""
    env = os.environ if env is None else env
    if not would_use_xcb(env):
        return None
    missing = missing_x11_packages(load)
    if not missing:
        return None
    return (
        f"the window needs X11 libraries that are not installed: install them with "
        f"`sudo apt-get install -y {' '.join(missing)}` (as root: without sudo), or render "
        "offscreen with `bireader open FILE --screenshot OUT.png`."
    )


def _x11_problem(display: str) -> str | None:
    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit():
        return f"DISPLAY={display} is not a display name like :0 or host:0"
    if "/" in host:  # a socket path (XQuartz's launchd style)
        return None if Path(f"{host}:{rest}").exists() else f"no X server socket at {host}:{rest}"
    if host in ("", "unix"):
        socket_path = Path(f"/tmp/.X11-unix/X{number}")
        if socket_path.exists() or _abstract_socket_open(f"/tmp/.X11-unix/X{number}"):
            return None
        return f"no X server for DISPLAY={display} (no {socket_path})"
    port = X11_BASE_PORT + int(number)
    try:
        with socket.create_connection((host, port), timeout=REMOTE_DISPLAY_TIMEOUT_S):
            return None
    except OSError as err:
        return f"no X server answers for DISPLAY={display} ({host} port {port}: {err.strerror or err})"


def _abstract_socket_open(name: str) -> bool:
    """X servers also listen on an abstract socket, which a sandbox may show without the file."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(REMOTE_DISPLAY_TIMEOUT_S)
            sock.connect("\0" + name)
        return True
    except OSError:
        return False


def _wayland_problem(env: Mapping[str, str]) -> str | None:
    name = env["WAYLAND_DISPLAY"]
    if name.startswith("/"):
        path = Path(name)
    elif env.get("XDG_RUNTIME_DIR"):
        path = Path(env["XDG_RUNTIME_DIR"]) / name
    else:
        return f"WAYLAND_DISPLAY={name} but XDG_RUNTIME_DIR is unset"
    return None if path.exists() else f"no Wayland compositor for WAYLAND_DISPLAY={name} (no {path})"


def run(argv: Sequence[str], load_library: Callable[[str], bool] = can_load_library) -> int:
    """Run the reader window; returns the process exit code.

    ``load_library`` tells whether a shared library loads (see :func:`x11_library_problem`).
    """
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
    problem = x11_library_problem(load=load_library)  # Qt would abort the process: say it first
    if problem is not None:
        print(f"bireader: {problem}", file=sys.stderr)
        return 1
    problem = display_problem()
    if problem is not None:
        print(
            f"bireader: {problem}: run it in a desktop session, or render offscreen with "
            "`bireader open FILE --screenshot OUT.png`.",
            file=sys.stderr,
        )
        return 1
    if screenshot:
        problem = screenshot_path_problem(screenshot)
        if problem is not None:
            print(f"bireader: {problem}", file=sys.stderr)
            return 1

    from PySide6.QtWidgets import QApplication

    from reader.errors import ReaderError

    _quiet_offscreen_warnings()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "bireader"])
    app.setApplicationName("Bilingual Reader")
    from ui.main_window import MainWindow

    try:
        window = MainWindow(remember_state=not screenshot)
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


def screenshot_path_problem(out: str) -> str | None:
    """Why the screenshot could not be written to ``out`` (None: it can), before any work."""
    path = Path(out).expanduser()
    suffix = path.suffix.lower().lstrip(".")
    if path.is_dir():
        return f"cannot write the screenshot to {out}: it is a folder; give a file name like {out}/shot.png"
    if suffix not in writable_image_formats():
        given = f"“.{suffix}”" if suffix else "no extension"
        return (
            f"cannot write the screenshot to {out}: {given} is not an image format it can write; "
            "end the name with .png, .jpg or .bmp"
        )
    folder = path.parent
    if not folder.is_dir():
        return f"cannot write the screenshot to {out}: the folder {folder} does not exist; create it first"
    if not os.access(folder, os.W_OK):
        return f"cannot write the screenshot to {out}: the folder {folder} is not writable"
    return None


def writable_image_formats() -> set[str]:
    """The file extensions this Qt build can write (png, jpg, bmp… and its plugins' formats)."""
    from PySide6.QtGui import QImageWriter

    return {bytes(f).decode().lower() for f in QImageWriter.supportedImageFormats()}


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
        if window.last_error_dialog is not None:  # --screenshot reports on stderr: nobody reads it
            window.last_error_dialog.close()
        if errors:
            print(f"bireader: {errors[0]}", file=sys.stderr)
            return 1
        if window.is_busy():
            print(
                "bireader: translation did not finish within 60 s; the screenshot shows what was done.",
                file=sys.stderr,
            )
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
