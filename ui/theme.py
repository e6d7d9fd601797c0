"""Fonts and colours of the reader: one place so the view, the banner and the screenshot agree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

SERIF_FAMILIES = ["DejaVu Serif", "Noto Serif", "Liberation Serif", "Times New Roman", "serif"]
BASE_POINT_SIZE = 12.0
MIN_ZOOM, MAX_ZOOM = -4, 8  # steps of 10%: 8.2 pt to 25.7 pt body text
LINE_HEIGHT = 1.5


@dataclass(frozen=True)
class ReaderColors:
    background: QColor
    text: QColor
    muted: QColor
    heading: QColor
    english: QColor
    divider: QColor
    hover: QColor
    current: QColor
    selection: QColor
    selection_text: QColor
    edited: QColor
    badge_bg: QColor
    badge_text: QColor


LIGHT = ReaderColors(
    background=QColor("#fbfaf6"),
    text=QColor("#1d1d1b"),
    muted=QColor("#8a877f"),
    heading=QColor("#111111"),
    english=QColor("#23324a"),
    divider=QColor("#e2ded4"),
    hover=QColor(255, 214, 102, 110),
    current=QColor(120, 170, 255, 90),
    selection=QColor("#b4d5fe"),
    selection_text=QColor("#000000"),
    edited=QColor("#2e8b57"),
    badge_bg=QColor("#b3261e"),
    badge_text=QColor("#ffffff"),
)

DARK = ReaderColors(
    background=QColor("#1e1f22"),
    text=QColor("#dedcd5"),
    muted=QColor("#8d8a84"),
    heading=QColor("#f2f0ea"),
    english=QColor("#c5d3ea"),
    divider=QColor("#34363b"),
    hover=QColor(255, 200, 80, 70),
    current=QColor(100, 150, 255, 90),
    selection=QColor("#31507a"),
    selection_text=QColor("#ffffff"),
    edited=QColor("#6fcf97"),
    badge_bg=QColor("#e5534b"),
    badge_text=QColor("#ffffff"),
)

THEMES = ("system", "light", "dark")


def system_prefers_dark() -> bool:
    """Qt 6.5+ reports the desktop's colour scheme; without one we assume light."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme) and scheme() == Qt.ColorScheme.Dark


def is_dark(theme: str) -> bool:
    if theme == "dark":
        return True
    if theme == "light":
        return False
    return system_prefers_dark()


def colors_for(theme: str) -> ReaderColors:
    return DARK if is_dark(theme) else LIGHT


def body_font(zoom: int = 0) -> QFont:
    font = QFont()
    font.setFamilies(SERIF_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(BASE_POINT_SIZE * (1.1**zoom))
    return font


def heading_font(zoom: int = 0) -> QFont:
    font = body_font(zoom)
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setWeight(QFont.Weight.Bold)
    return font


def title_font(zoom: int = 0) -> QFont:
    font = body_font(zoom)
    font.setPointSizeF(font.pointSizeF() * 1.75)
    font.setWeight(QFont.Weight.Bold)
    return font


def small_font(zoom: int = 0) -> QFont:
    font = body_font(zoom)
    font.setPointSizeF(font.pointSizeF() * 0.85)
    return font


def apply_app_palette(app: QApplication, dark: bool) -> None:
    """Fusion + an explicit palette, so 'dark' looks dark on every platform, offscreen included."""
    app.setStyle("Fusion")
    if not dark:
        app.setPalette(app.style().standardPalette())
        return
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dedcd5")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#26282b"))
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor("#31507a"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8d8a84"))
    p.setColor(QPalette.ColorRole.Link, QColor("#8ab4f8"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6d6b66"))
    app.setPalette(p)
