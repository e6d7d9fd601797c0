"""One background-operation helper (in the spirit of Anki's QueryOp) for translation, downloads, imports.

A task runs ``fn(ctx)`` in a plain Python thread, so the test fixture that checks for leaked
threads sees it and ``shutdown`` can join it.  The worker never touches a widget: everything it
reports (progress, partial results, the result or the error) crosses to the GUI thread as a queued
Qt signal and is delivered to the callbacks there, unless the task was detached at shutdown.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from reader.errors import Cancelled


class TaskContext:
    """What the worker function may use: report progress or partial results, check for cancel."""

    def __init__(self, task: Task) -> None:
        self._task = task

    def cancelled(self) -> bool:
        return self._task.is_cancelled()

    def progress(self, done: int, total: int) -> None:
        self._task._event.emit("progress", (int(done), int(total)))

    def partial(self, payload: Any) -> None:
        self._task._event.emit("partial", payload)


class Task(QObject):
    """A running background operation; its signals fire on the GUI thread."""

    progress = Signal(int, int)
    partial = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()
    ended = Signal()  # always, detached or not: lets the runner forget the task

    _event = Signal(str, object)

    def __init__(
        self, fn: Callable[[TaskContext], Any], label: str = "", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.result: Any = None
        self.error: BaseException | None = None
        self.state = "pending"  # pending, running, done, failed, cancelled
        self._fn = fn
        self._cancel = threading.Event()
        self._detached = False
        self._thread = threading.Thread(target=self._work, name=f"task:{label}", daemon=True)
        self._event.connect(self._dispatch)

    def start(self) -> None:
        self.state = "running"
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self.state == "running"

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker thread; True when it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def detach(self) -> None:
        """Drop every later callback (the window is going away); the thread still ends on its own."""
        self._detached = True

    def _work(self) -> None:
        ctx = TaskContext(self)
        try:
            result = self._fn(ctx)
        except Cancelled as exc:
            self._event.emit("cancelled", exc)
        except Exception as exc:  # every error must reach the GUI as a message, never crash it
            if not _is_user_error(exc):
                traceback.print_exc(file=sys.stderr)
            self._event.emit("failed", exc)
        else:
            if self.is_cancelled():
                self._event.emit("cancelled", result)
            else:
                self._event.emit("succeeded", result)

    @Slot(str, object)
    def _dispatch(self, kind: str, payload: Any) -> None:
        if kind in ("succeeded", "failed", "cancelled"):
            self.state = {"succeeded": "done", "failed": "failed", "cancelled": "cancelled"}[kind]
            if kind == "succeeded":
                self.result = payload
            elif kind == "failed":
                self.error = payload
        if self._detached:
            if kind in ("succeeded", "failed", "cancelled"):
                self.ended.emit()
            return
        if kind == "progress":
            self.progress.emit(*payload)
        elif kind == "partial":
            self.partial.emit(payload)
        elif kind == "succeeded":
            self.succeeded.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        if kind in ("succeeded", "failed", "cancelled"):
            if kind == "cancelled":
                self.cancelled.emit()
            self.finished.emit()
            self.ended.emit()


def _is_user_error(exc: BaseException) -> bool:
    from reader.errors import ReaderError

    return isinstance(exc, ReaderError)


class TaskRunner(QObject):
    """Starts tasks, remembers the live ones, and cancels + joins them all on shutdown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: list[Task] = []

    def run(
        self,
        fn: Callable[[TaskContext], Any],
        *,
        label: str = "",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Task:
        task = Task(fn, label, self)
        for signal, slot in (
            (task.succeeded, on_done),
            (task.failed, on_error),
            (task.progress, on_progress),
            (task.partial, on_partial),
            (task.cancelled, on_cancelled),
            (task.finished, on_finished),
        ):
            if slot is not None:
                signal.connect(slot)
        task.ended.connect(lambda t=task: self._forget(t))
        self._tasks.append(task)
        task.start()
        return task

    def active(self) -> list[Task]:
        return [t for t in self._tasks if t.state == "running"]

    def _forget(self, task: Task) -> None:
        task.join(1.0)
        if task in self._tasks:
            self._tasks.remove(task)
        task.setParent(None)  # the Python wrapper keeps it alive while referenced

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Cancel every task, join its thread, and drop its pending callbacks; True if all ended."""
        tasks, self._tasks = list(self._tasks), []
        for task in tasks:
            task.cancel()
        ok = True
        for task in tasks:
            ok = task.join(timeout) and ok
            task.detach()
        return ok
