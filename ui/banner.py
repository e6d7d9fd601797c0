"""Non-modal banners above the text: a missing model or an engine error never blocks reading."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

STYLES = {
    "info": ("#e8f0fe", "#174ea6", "#a8c7fa"),
    "warning": ("#fef7e0", "#7a4b00", "#f9d67a"),
    "error": ("#fce8e6", "#a50e0e", "#f4b4ae"),
}
DARK_STYLES = {
    "info": ("#1f2b3d", "#a8c7fa", "#34496b"),
    "warning": ("#3a3020", "#f9d67a", "#6b5a2c"),
    "error": ("#3d2020", "#f4b4ae", "#6b3434"),
}


class Banner(QFrame):
    """A coloured strip with a message, optional action buttons and a close button."""

    closed = Signal()

    def __init__(
        self,
        key: str,
        kind: str,
        text: str,
        actions: list[tuple[str, Callable[[], None]]] = (),
        closable: bool = True,
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.kind = kind
        self.dark = dark
        self.setObjectName(f"banner-{key}")
        self._apply_style()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        layout.setSpacing(8)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}
        for title, callback in actions:
            button = QPushButton(title)
            button.clicked.connect(callback)
            layout.addWidget(button)
            self.buttons[title] = button
        if closable:
            close = QToolButton()
            close.setText("✕")
            close.setToolTip("Dismiss")
            close.setAutoRaise(True)
            close.clicked.connect(self.dismiss)
            layout.addWidget(close)

    def _apply_style(self) -> None:
        bg, fg, border = (DARK_STYLES if self.dark else STYLES).get(self.kind, STYLES["info"])
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {bg}; border-bottom: 1px solid {border}; }}"
            f" QLabel {{ color: {fg}; background: transparent; }}"
        )

    def set_kind(self, kind: str) -> None:
        """A warning that turned into a failure (a download did not work) takes the error colours."""
        self.kind = kind
        self._apply_style()

    def text(self) -> str:
        return self.label.text()

    def set_text(self, text: str) -> None:
        self.label.setText(text)

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
        self.deleteLater()


class BannerArea(QWidget):
    """Stacks banners by key: showing a key again replaces its banner instead of piling up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(0)
        self._banners: dict[str, Banner] = {}
        self.dark = False

    def show_banner(
        self,
        key: str,
        kind: str,
        text: str,
        actions: list[tuple[str, Callable[[], None]]] = (),
        closable: bool = True,
    ) -> Banner:
        self.remove(key)
        banner = Banner(key, kind, text, actions, closable, self.dark, self)
        banner.closed.connect(lambda k=key, b=banner: self._forget(k, b))
        self._banners[key] = banner
        self._box.addWidget(banner)
        banner.show()
        return banner

    def banner(self, key: str) -> Banner | None:
        return self._banners.get(key)

    def banners(self) -> dict[str, Banner]:
        return dict(self._banners)

    def remove(self, key: str) -> None:
        banner = self._banners.pop(key, None)
        if banner is not None:
            banner.hide()
            banner.deleteLater()

    def _forget(self, key: str, banner: Banner) -> None:
        if self._banners.get(key) is banner:
            del self._banners[key]
