"""A missing X11 library is named in one line before Qt would abort the process."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.app import QT_X11_LIBRARIES, missing_x11_packages, run, would_use_xcb, x11_library_problem

from .conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
CURSOR, XKB_X11 = "libxcb-cursor.so.0", "libxkbcommon-x11.so.0"


def loads_all_but(*absent: str):
    """A library lookup where the named libraries are not installed."""
    return lambda soname: soname not in absent


def really_loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def test_the_message_names_exactly_the_missing_packages():
    message = x11_library_problem({"DISPLAY": ":0"}, load=loads_all_but(CURSOR, XKB_X11))
    assert message is not None and "\n" not in message
    assert "`sudo apt-get install -y libxcb-cursor0 libxkbcommon-x11-0`" in message
    assert "libxcb-icccm4" not in message


def test_nothing_missing_means_no_message():
    assert x11_library_problem({"DISPLAY": ":0"}, load=loads_all_but()) is None
    assert missing_x11_packages(loads_all_but()) == []
    assert missing_x11_packages(loads_all_but(*QT_X11_LIBRARIES)) == sorted(set(QT_X11_LIBRARIES.values()))


@pytest.mark.parametrize(("env", "xcb"), [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb;offscreen"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),  # a Wayland session: Qt picks wayland
    ({"QT_QPA_PLATFORM": "xcb"}, False),  # no DISPLAY: the display check says so instead
    ({}, False),
])
def test_only_the_xcb_platform_is_checked(env, xcb):
    assert would_use_xcb(env) is xcb
    problem = x11_library_problem(env, load=loads_all_but(CURSOR))
    assert (problem is not None) is xcb


def test_run_reports_the_missing_library_and_exits_1(capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    assert run(["open", str(SEED)], load_library=loads_all_but(CURSOR)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("bireader: the window needs X11 libraries that are not installed")
    assert "apt-get install -y libxcb-cursor0`" in err


def test_a_library_that_fails_to_load_is_named_instead_of_qts_abort(tmp_path):
    """Unloadable copies of two libraries first on LD_LIBRARY_PATH: Qt itself aborts (shown first),
    `bireader open` says which packages to install, in one line, with exit status 1."""
    broken = tmp_path / "lib"
    broken.mkdir()
    for soname in (CURSOR, XKB_X11):
        (broken / soname).write_text("not a shared library\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": f"{tmp_path}/no-x-server:0",
           "LD_LIBRARY_PATH": f"{broken}:{os.environ.get('LD_LIBRARY_PATH', '')}".rstrip(":")}
    env.pop("WAYLAND_DISPLAY", None)

    start_qt = "from PySide6.QtWidgets import QApplication; QApplication([])"
    qt = subprocess.run([sys.executable, "-c", start_qt], env=env, capture_output=True, text=True,
                        timeout=120)
    assert qt.returncode != 0 and "could not load the qt platform plugin" in qt.stderr.lower()

    proc = subprocess.run([sys.executable, "-m", "ui", "open", str(SEED)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    named = lines[0].split("apt-get install -y ", 1)[1].split("`", 1)[0].split()
    really_missing = {QT_X11_LIBRARIES[s] for s in QT_X11_LIBRARIES if not really_loads(s)}
    assert set(named) == {"libxcb-cursor0", "libxkbcommon-x11-0"} | really_missing
