"""The status bar: tool hint, pointer position, image size and an editable zoom level."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QRect, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox, QFrame, QLabel, QLineEdit, QScrollArea, QSizeGrip, QSizePolicy, QStatusBar,
    QStyle, QStyleOption, QToolTip, QWidget)

from medsnap.ui.elided_label import ElidedLabel
from medsnap.ui.qt_enums import Qt

ZOOM_CHOICES = ("10%", "25%", "50%", "75%", "100%", "150%", "200%", "400%", "800%")


class EditorStatusBar(QStatusBar):
    zoom_entered = Signal(float)  # a scale typed or chosen by the clinician (1.0 = 100%)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.permanent: list[QWidget] = []  # right of a passing message (message_rect)
        self.setAccessibleName("Status")
        self.hint = ElidedLabel(self)  # shortened, never widening the window
        self.hint.setAccessibleName("Tool hint")
        self.position = QLabel(self)
        self.position.setAccessibleName("Pointer position")
        self.position.setMinimumWidth(self.fontMetrics().horizontalAdvance("00000, 00000") + 8)
        self.size_label = QLabel(self)
        self.page_note = ""  # "Page 3 of 5 · " before the size: a PDF letter's page
        self.size_label.setAccessibleName("Image size")
        self.zoom = QComboBox(self)
        self.zoom.setEditable(True)
        # a line edit made here, not the one Qt made: handed a widget it did not make, PySide6
        # loads every QtWidgets class to find its type (~10 ms at start-up)
        self.zoom.setLineEdit(QLineEdit(self.zoom))
        self.zoom.setAccessibleName("Zoom level")
        self.zoom.setToolTip("Zoom level: choose or type a percentage")
        self.zoom.addItems(ZOOM_CHOICES)
        self.zoom.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zoom.setMinimumContentsLength(6)
        self.zoom.lineEdit().setPlaceholderText("–")  # no picture: no zoom (it said "10%")
        self.forget_zoom()
        self.zoom.lineEdit().returnPressed.connect(self._entered)
        self.zoom.textActivated.connect(lambda _text: self._entered())
        self.addWidget(self.hint, 1)
        self.addPermanentWidget(self.position)
        self.addPermanentWidget(self.size_label)
        self.addPermanentWidget(self.zoom)

    def forget_zoom(self) -> None:
        self.zoom.blockSignals(True)
        self.zoom.setCurrentIndex(-1)
        self.zoom.setEditText("")
        self.zoom.blockSignals(False)

    def show_zoom(self, scale: float) -> None:
        self.zoom.blockSignals(True)
        self.zoom.setEditText(f"{scale * 100:.0f}%" if scale >= 0.1 else f"{scale * 100:.1f}%")
        self.zoom.blockSignals(False)

    def show_size(self, width: int | None, height: int | None, note: str = "") -> None:
        self.size_label.setText("" if width is None else
                                f"{self.page_note}{width} × {height} px{note}")

    def hold_crop_bar(self, bar: QWidget) -> None:
        """The crop tool's numbers live here, in place of the hint, pointer and size: the
        bar is always this tall, so choosing Crop moves nothing (a toolbar row pushed the
        picture down under the pointer)."""
        self.crop_bar = bar
        self.crop_holder: QScrollArea | None = None  # made when Crop is first chosen
        bar.hide()
        self.setMinimumHeight(bar.sizeHint().height() + 6)

    def _held_crop_bar(self) -> QScrollArea:
        """The bar in a scroll area: its boxes and buttons would otherwise set the window's
        minimum width, and at a large scale factor Crop widened the window past the screen
        (Tab still reaches every box: the area scrolls to the focused one). Made on first
        use: its enums would be set up before the first paint (see qt_enums)."""
        if self.crop_holder is None:
            holder = QScrollArea(self)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            holder.setWidgetResizable(True)
            holder.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            holder.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            holder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            holder.setFixedHeight(self.crop_bar.sizeHint().height())
            holder.hide()
            holder.setWidget(self.crop_bar)
            self.crop_bar.show()  # shown and hidden with its holder
            self.insertWidget(0, holder, 1)
            self.crop_holder = holder
        return self.crop_holder

    def show_crop_bar(self, shown: bool) -> None:
        if not shown and self.crop_holder is None:
            return  # never shown: nothing to put back
        # hide before showing: both at once, even for a moment, are wider than the window
        # and a real window grows to fit them
        others = (self.hint, self.position, self.size_label)
        crop = (self._held_crop_bar(),)
        going, coming = (others, crop) if shown else (crop, others)
        for widget in going:
            widget.hide()
        passing = bool(self.currentMessage())  # a status tip is drawn where the hint goes
        for widget in coming:
            if passing and widget in (self.hint, self.crop_holder):
                # left hidden, marked as Qt's status bar marks what it hid under the
                # message, so it comes back when the message goes (shown now, the hint was
                # drawn at once with the tip: the same text twice, one over the other)
                widget.setAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide, False)
            else:
                widget.show()

    def forget_picture(self) -> None:
        """No picture (Switch user put it away): nothing of its size or zoom stays shown."""
        self.page_note = ""
        self.show_size(None, None)
        self.show_position(None, None)
        self.forget_zoom()

    def show_position(self, x: float | None, y: float | None) -> None:
        self.position.setText("" if x is None else f"{x:.0f}, {y:.0f}")

    def show_hint(self, text: str) -> None:
        self.hint.setText(text)

    # a passing message (showMessage) ---------------------------------------------------
    # Qt draws it whole and cuts it at the first permanent widget, mid-letter ("…and
    # messages waiting in the outbox g", NU6): it is drawn shortened with "…" instead and
    # the whole of it is the bar's tooltip. currentMessage() stays the whole text.
    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        self.permanent.append(widget)  # (Qt keeps its own list private)
        super().addPermanentWidget(widget, stretch)

    def message_rect(self) -> QRect:
        """Where Qt draws the message: from the left margin to the first permanent widget
        shown, or the size grip."""
        right = self.width() - 12
        for child in [*self.permanent, *self.findChildren(QSizeGrip)]:
            if child.isVisible():
                right = min(right, child.x() - 2)
        return QRect(6, 0, max(0, right - 6), self.height())

    def shown_message(self) -> str:
        """The message as drawn: all of it, or its start and "…" when it does not fit."""
        message, width = self.currentMessage(), self.message_rect().width()
        if self.fontMetrics().horizontalAdvance(message) <= width:
            return message
        return self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        shown = self.shown_message()
        if shown == self.currentMessage():
            return
        rect = self.message_rect()
        painter = QPainter(self)
        painter.setClipRect(rect)  # Qt's cut text painted over with the bar's own panel
        painter.fillRect(rect, self.palette().brush(self.backgroundRole()))
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option,
                                   painter, self)
        painter.setPen(self.palette().windowText().color())
        flags = (Qt.AlignmentFlag.AlignLeading.value | Qt.AlignmentFlag.AlignVCenter.value
                 | Qt.TextFlag.TextSingleLine.value)
        painter.drawText(rect, flags, shown)
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.shown_message() != \
                self.currentMessage() and self.message_rect().contains(event.pos()):
            QToolTip.showText(event.globalPos(), self.currentMessage(), self)
            return True
        return super().event(event)

    def _entered(self) -> None:
        scale = parse_zoom(self.zoom.currentText())
        if scale is not None:
            self.zoom_entered.emit(scale)


def parse_zoom(text: str) -> float | None:
    """'150%', '150', ' 12.5 % ' -> 1.5, 1.5, 0.125; anything else -> None."""
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*%?\s*", text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ".")) / 100
    return value if value > 0 else None
