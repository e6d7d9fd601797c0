"""Undo and redo of the reader's own marks: annotations, saved phrases and link corrections.

Each change is made first (so a refusal, e.g. a read-only library, is reported before anything is
recorded), then pushed as a ``Step`` holding how to do it again and how to undo it. Undoing a
creation deletes; redoing it restores the very same rows (same ids, same dates) through
``restore_annotation`` / ``restore_phrase``. A step that fails later (its document was removed
meanwhile) says why in the status bar and leaves the history, which stays consistent.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from reader.errors import ReaderError

__all__ = ["History", "Step"]

Action = Callable[[], object]


class Step(QUndoCommand):
    """One change already made: ``redo`` makes it again, ``undo`` takes it back."""

    def __init__(self, text: str, redo: Action, undo: Action, report: Callable[[str], None]) -> None:
        super().__init__(text)
        self._redo, self._undo, self._report = redo, undo, report
        self._made = True  # QUndoStack.push calls redo(): the change is already made

    def redo(self) -> None:
        if self._made:
            self._made = False
            return
        self._run(self._redo, "Redo")

    def undo(self) -> None:
        self._run(self._undo, "Undo")

    def _run(self, action: Action, verb: str) -> None:
        try:
            action()
        except ReaderError as err:
            # Qt swallows exceptions from here: say it, and drop the step (its rows are gone).
            self._report(f"{verb} of “{self.text()}” failed: {err}")
            self.setObsolete(True)


class History(QUndoStack):
    """The window's undo stack of annotations, saved phrases and link corrections."""

    def __init__(self, parent: QWidget, report: Callable[[str], None]) -> None:
        super().__init__(parent)
        self._report = report

    def record(self, text: str, redo: Action, undo: Action) -> Step:
        """Record a change just made (``redo`` makes it again, ``undo`` takes it back)."""
        step = Step(text, redo, undo, self._report)
        self.push(step)
        return step
