"""Words and banner names the window's rooms share (status bar messages, banners)."""

from __future__ import annotations

MODEL_BANNER = "model"
ERROR_BANNER = "error"
READ_ONLY_BANNER = "read-only"
READ_ONLY_TEXT = (
    "This library is read-only: changes cannot be saved. You can read and export; sentences "
    "without a translation are translated for this session only."
)
READ_ONLY_REFUSAL = "This library is read-only: {what} cannot be saved. Open a library you can write to."


def plural(n: int, word: str) -> str:
    """ "1 sentence", "2 sentences": status messages count things."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
