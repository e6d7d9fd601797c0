"""The one background-operation helper: results, errors, progress and cancel reach the GUI thread."""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtWidgets import QWidget

from reader.errors import Cancelled, ImportFailed
from ui.tasks import TaskRunner


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen = []

    def work(ctx):
        for i in range(3):
            ctx.progress(i + 1, 3)
            ctx.partial({"batch": i})
        return threading.current_thread().name

    record = lambda kind: lambda *a: seen.append((kind, a, threading.current_thread()))  # noqa: E731
    task = runner.run(work, label="t", on_progress=record("progress"), on_partial=record("partial"))
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.succeeded.connect(record("done"))
    assert [k for k, _, _ in seen] == ["progress", "partial"] * 3 + ["done"]
    assert {t for _, _, t in seen} == {threading.main_thread()}
    assert seen[-1][1] == ("task:t",)  # the function itself ran in the worker thread
    assert seen[4][1] == (3, 3) and seen[5][1] == ({"batch": 2},)
    assert task.state == "done" and not runner.active()


def test_errors_are_delivered_not_raised(qtbot):
    runner = TaskRunner()

    def work(ctx):
        raise ImportFailed("x.txt is empty: nothing to import")

    errors = []
    task = runner.run(work, on_error=errors.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert [str(e) for e in errors] == ["x.txt is empty: nothing to import"]
    assert task.state == "failed"


def test_cancel_stops_between_steps_and_keeps_what_is_done(qtbot):
    runner = TaskRunner()
    done_steps = []

    def work(ctx):
        for i in range(1000):
            if ctx.cancelled():
                raise Cancelled(f"cancelled after {i}")
            done_steps.append(i)
            ctx.partial(i)
            time.sleep(0.002)
        return "finished"

    cancelled = []
    task = runner.run(work, on_cancelled=lambda: cancelled.append(True))
    task.partial.connect(lambda i: i == 5 and task.cancel())
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert cancelled == [True] and task.state == "cancelled"
    assert 5 < len(done_steps) < 1000


def test_shutdown_cancels_joins_and_drops_late_callbacks(qtbot):
    parent = QWidget()
    runner = TaskRunner(parent)
    started = threading.Event()
    calls = []

    def work(ctx):
        started.set()
        while not ctx.cancelled():
            time.sleep(0.01)
        return "late"

    task = runner.run(work, on_done=calls.append, on_cancelled=lambda: calls.append("c"))
    assert started.wait(5)
    assert runner.shutdown(timeout=5)
    assert not task._thread.is_alive()
    qtbot.wait(50)
    assert calls == []  # the window is gone: nothing is delivered to it
    parent.deleteLater()


def test_qt_calls_do_not_eat_references_to_none(qtbot):
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call: the app then
    aborts ("deallocating None") after a few thousand calls. Guard against such a binding."""
    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(2000):
        w.update()
        w.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100


def test_a_detached_task_is_forgotten_when_it_ends(qtbot):
    """A task whose window stopped listening must not pile up in the runner."""
    runner = TaskRunner()
    release = threading.Event()
    done = []
    task = runner.run(lambda ctx: release.wait(5), label="detached", on_done=done.append)
    task.detach()
    release.set()
    with qtbot.waitSignal(task.ended, timeout=5000):
        pass
    assert done == []  # no callback after detach
    assert task not in runner._tasks
