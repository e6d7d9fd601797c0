"""What the reader can do to one sentence: its context menu, copy, edit, revert, retranslate, and
choose among the model's alternatives.

Each action that changes a translation goes through the document session, which saves it first
(on the GUI thread's own connection; a retranslation's engine part runs in a worker) and then tells
the view and the word tools; a read-only library refuses with a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from reader import store
from reader.document import ALTERNATIVE
from reader.errors import StoreError
from ui.alternatives import AlternativesDialog
from ui.reader_view import EN, NL
from ui.status_text import READ_ONLY_REFUSAL
from ui.tasks import Task, TaskContext

if TYPE_CHECKING:
    from reader.hover import WordRef
    from reader.pipeline import RetranslateResult
    from ui.main_window import MainWindow

ALTERNATIVES = 5  # translations in the n-best list
LOOK_UP_SHORTCUT = "D"
REPLACE_EDIT, KEEP_EDIT = "replace", "keep"


def retranslate_message(result: RetranslateResult) -> str:
    """What a retranslation did, in the status bar: "retranslated" only when something changed."""
    if result.edit_replaced:
        return "Your version is replaced by the machine translation."
    if result.user_text is not None:
        if result.changed:
            return "Retranslated; your own version is still shown (Use Machine Translation shows it)."
        return "The model gives the same translation; your own version is still shown."
    return "Sentence retranslated." if result.changed else "The model gives the same translation."


class SentenceActions:
    """The sentence room of the window: menu and actions on one sentence of the open document."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.menu: QMenu | None = None  # the last context menu shown
        self.alternatives_dialog: AlternativesDialog | None = None

    def show_menu(self, sid: int | None, global_pos: QPoint) -> None:
        w = self.window
        if sid is None or w.view.content() is None:
            return
        menu = QMenu(w)
        menu.addAction("Copy Dutch", lambda: self.copy(sid, NL))
        en = menu.addAction("Copy English", lambda: self.copy(sid, EN))
        both = menu.addAction("Copy Both", lambda: self.copy(sid, None))
        has_en = bool(w.view.translation(sid))
        en.setEnabled(has_en)
        both.setEnabled(has_en)
        menu.addSeparator()
        can_translate = w.models.has_package()
        writable = not w.read_only  # each of these saves a translation
        a = menu.addAction("Retranslate", lambda: self.retranslate(sid))
        a.setEnabled(can_translate and writable)
        a = menu.addAction("Edit Translation…", lambda: w.view.edit_translation(sid))
        a.setEnabled(writable)
        a = menu.addAction("Show Alternatives…", lambda: self.show_alternatives(sid))
        a.setEnabled(can_translate and writable)
        if w.view.is_edited(sid):
            a = menu.addAction("Use Machine Translation", lambda: self.revert(sid))
            a.setEnabled(writable)
        if not writable:
            menu.addSeparator()
            menu.addAction("Read-only library: translations cannot be changed").setEnabled(False)
        word = self._dutch_word_at(global_pos)
        if word is not None:
            menu.addSeparator()
            a = menu.addAction(f"Look Up “{word.text}”", lambda: w.words.look_up(word))
            a.setShortcut(QKeySequence(LOOK_UP_SHORTCUT))
        w.annotating.extend_menu(menu, sid, global_pos)
        menu.popup(global_pos)
        self.menu = menu

    def _dutch_word_at(self, global_pos: QPoint) -> WordRef | None:
        """The Dutch word under a point of the screen (for the context menu), if any."""
        view = self.window.view
        hit = view.hit_test(view.viewport().mapFromGlobal(global_pos))
        if hit is None or not hit.on_text or hit.side != NL:
            return None
        return self.window.words.highlighter.ref_at(hit, tokenize_missing=True)

    def copy(self, sid: int, side: str | None) -> str:
        view = self.window.view
        nl, en = view.sentence_text(sid, NL), view.sentence_text(sid, EN)
        text = {NL: nl, EN: en}.get(side) if side else f"{nl}\n{en}"
        QGuiApplication.clipboard().setText(text or "")
        return text or ""

    def _store_failed(self, err: StoreError) -> None:
        """A removed document closes its view; other store errors go to the banner."""
        if self.window.check_document_still_exists():
            self.window.show_error(err)

    def save_edit(self, sid: int, text: str) -> None:
        """The inline editor's result: stored as the user's version, marked in the view."""
        w = self.window
        if w.read_only:
            w.statusBar().showMessage(READ_ONLY_REFUSAL.format(what="your translation"), 8000)
            return
        if w.session is None:
            return
        try:
            w.session.edit(w.db, sid, text)
        except StoreError as err:
            self._store_failed(err)
            return
        w.statusBar().showMessage("Your translation is saved.", 4000)

    def revert(self, sid: int) -> None:
        w = self.window
        if w.session is None:
            return
        try:
            w.session.revert_to_machine(w.db, sid)
        except StoreError as err:
            self._store_failed(err)

    def _ask_replace_edit(self) -> str | None:
        """REPLACE_EDIT, KEEP_EDIT (retranslate, keep showing the user's text) or None (Cancel)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Retranslate",
            "You edited this translation. Retranslate and replace your version, or retranslate "
            "and keep showing your version?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("retranslateQuestion")
        replace = box.addButton("Replace my version", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep my version", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        return REPLACE_EDIT if clicked is replace else KEEP_EDIT if clicked is keep else None

    def retranslate(self, sid: int, replace_edit: bool | None = None) -> Task | None:
        """Translate one sentence again (bypassing the cache); an edit is kept unless replaced."""
        w = self.window
        content = w.view.content()
        if content is None or sid not in content.sentences or not w.check_document_still_exists():
            return None
        if w.view.is_edited(sid) and replace_edit is None:
            answer = self._ask_replace_edit()
            if answer is None:
                return None
            replace_edit = answer == REPLACE_EDIT
        replace = bool(replace_edit)
        engines, db_path, doc_id = w.engines, w.db_path, w.doc_id

        def work(ctx: TaskContext) -> RetranslateResult:
            from reader.pipeline import retranslate_sentence

            engine = engines.get()
            with store.connection(db_path) as db:
                return retranslate_sentence(db, sid, engine, replace_edit=replace)

        def done(result: RetranslateResult) -> None:
            if doc_id != w.doc_id or w.session is None:
                return
            w.session.retranslated(result, db=None if w.read_only else w.db)
            w.statusBar().showMessage(retranslate_message(result), 5000)
            w.retranslated.emit(sid)

        return w.runner.run(
            work,
            label=f"retranslate:{sid}",
            on_done=done,
            on_error=lambda err, d=doc_id: self._task_failed(d, err),
        )

    def show_alternatives(self, sid: int) -> Task | None:
        """The engine's n-best list for a sentence, in a dialog; the chosen one is kept."""
        w = self.window
        content = w.view.content()
        if content is None or sid not in content.sentences or not w.check_document_still_exists():
            return None
        text = content.sentences[sid].text
        engines, doc_id = w.engines, w.doc_id

        def work(ctx: TaskContext) -> list[tuple[str, float]]:
            from reader.pipeline import alternatives

            return alternatives(engines.get(), text, n=ALTERNATIVES)

        def done(found: list[tuple[str, float]]) -> None:
            if w.view.content() is not content or not w.check_document_still_exists():
                return
            current = w.view.translation(sid) or ""
            machine = w.session.machine(sid) if w.session is not None else None
            dialog = AlternativesDialog(text, found, current, w, machine=machine, origin=w.view.origin(sid))
            dialog.accepted.connect(lambda: self.keep_alternative(sid, dialog.chosen()))
            self.alternatives_dialog = dialog
            dialog.open()

        w.statusBar().showMessage("Looking for alternative translations…", 3000)
        return w.runner.run(
            work,
            label=f"alternatives:{sid}",
            on_done=done,
            on_error=lambda err, d=doc_id: self._task_failed(d, err),
        )

    def keep_alternative(self, sid: int, text: str | None) -> None:
        """The machine's own text reverts a version of the reader's; another choice is kept as
        the model's alternative (marked as such, not as the reader's writing)."""
        w = self.window
        session = w.session
        if not text or session is None:
            return
        try:
            changes = session.choose_alternative(w.db, sid, text)
        except StoreError as err:
            self._store_failed(err)
            return
        if changes:  # the English already shown, chosen again, changes nothing
            if session.origin(sid) == ALTERNATIVE:
                w.statusBar().showMessage("The model's alternative is kept.", 4000)
            else:
                w.statusBar().showMessage("The machine translation is shown again.", 4000)

    def _task_failed(self, doc_id: int | None, err: BaseException) -> None:
        """A removed document closes its view; other errors go to the banner."""
        w = self.window
        if doc_id != w.doc_id:
            return
        if isinstance(err, StoreError) and not w.check_document_still_exists():
            return
        w.show_error(err)
