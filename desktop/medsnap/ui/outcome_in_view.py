"""The send panel's outcome line is scrolled into view whenever it says something new.

At a large scale factor (1.5 on a 1600 x 900 screen) the Send panel scrolls, and "Sent to Dr
Ben Hughes at 06:18; signed and encrypted", the only sign that the picture went, was below
the fold (NU5). Every outcome sets the line's "tone" property (its colour) with the text, so
a dynamic-property change on the label is the cue; the text is compared, so a sync that says
the same again does not pull back a panel the clinician scrolled."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QScrollArea


class OutcomeInView(QObject):
    def __init__(self, label: QLabel, area: QScrollArea) -> None:
        super().__init__(label)
        self.label, self.area = label, area
        self.shown = ""  # the text last brought into view
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.label and event.type() == QEvent.Type.DynamicPropertyChange:
            QTimer.singleShot(0, self, self.follow)  # once the text is set and laid out
        return False

    def follow(self) -> None:
        text = self.label.text()
        if text and text != self.shown and self.label.isVisible():
            layout = self.label.parentWidget().layout()
            if layout is not None:
                layout.activate()  # the new text's height, before scrolling to it
            self.area.ensureWidgetVisible(self.label, 0, 8)
        self.shown = text
