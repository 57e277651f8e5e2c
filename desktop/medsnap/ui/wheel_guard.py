"""The mouse wheel over a form scrolls the form: a combo or spin box it passes over keeps its
value unless the clinician clicked or tabbed into it first (a scrolled-over Priority or
Expires changed silently otherwise)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from medsnap.ui.qt_enums import Qt


class WheelGuard(QObject):
    def guard(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel gives no focus
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:  # forwarded, since Qt does not pass synthesised wheels up
            QApplication.sendEvent(area.viewport(), event)
        return True
