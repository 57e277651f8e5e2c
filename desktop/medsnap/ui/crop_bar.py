"""Numeric crop entry: x, y, width and height in picture pixels, applied as one edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

if TYPE_CHECKING:  # the document model loads with the first picture, not at start-up
    from medsnap.document.geometry import Rect


class CropBar(QWidget):
    crop_entered = Signal(object)  # a Rect, or None to remove the crop

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Crop size")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        self.boxes: dict[str, QSpinBox] = {}
        for key, label in (("x", "X"), ("y", "Y"), ("w", "Width"), ("h", "Height")):
            box = QSpinBox(self)
            box.setRange(0, 1_000_000)
            box.setSuffix(" px")
            box.setAccessibleName(f"Crop {label.lower()}")
            box.setKeyboardTracking(False)
            box.setMaximumWidth(box.fontMetrics().horizontalAdvance("000000 px") + 28)
            name = QLabel(label, self)
            name.setBuddy(box)
            layout.addWidget(name)
            layout.addWidget(box)
            box.editingFinished.connect(self._entered)
            self.boxes[key] = box
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setAccessibleName("Apply crop")
        self.apply_button.clicked.connect(self._entered)
        self.clear_button = QPushButton("Remove crop", self)
        self.clear_button.setAccessibleName("Remove crop")
        self.clear_button.clicked.connect(lambda: self.crop_entered.emit(None))
        layout.addWidget(self.apply_button)
        layout.addWidget(self.clear_button)

    def show_crop(self, crop: Rect | None, width: int, height: int) -> None:
        from medsnap.document.geometry import Rect

        rect = crop or Rect(0, 0, width, height)
        values = {"x": rect.x, "y": rect.y, "w": rect.width, "h": rect.height}
        limits = {"x": width - 1, "y": height - 1, "w": width, "h": height}
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setMaximum(limits[key])
            box.setMinimum(0 if key in "xy" else 1)
            box.setValue(round(values[key]))
            box.blockSignals(False)
        self.clear_button.setEnabled(crop is not None)

    def entered_rect(self) -> Rect:
        b = self.boxes
        from medsnap.document.geometry import Rect

        return Rect(b["x"].value(), b["y"].value(), b["w"].value(), b["h"].value())

    def _entered(self) -> None:
        self.crop_entered.emit(self.entered_rect())
