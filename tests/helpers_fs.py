"""Running a command as an ordinary user would: root ignores file permissions, so a child process
run by root drops the capabilities that let it write anywhere (the tests run as root in CI)."""

from __future__ import annotations

import ctypes
import os

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def drop_root_file_powers() -> None:
    """``preexec_fn`` for subprocess: gone after exec, so permissions apply as for a user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def as_ordinary_user() -> dict:
    """subprocess.run keyword arguments that make permissions count, whoever runs the tests."""
    return {"preexec_fn": drop_root_file_powers} if os.geteuid() == 0 else {}
