"""Window/level, frame and burned-in-text warning for a DICOM image: binds, nothing else.

``show_info(DicomInfo)`` sets the controls from the loaded frame (without echoing signals);
the user's changes come out as ``window_changed((centre, width) | None)`` (None = the
file's own window), ``frame_changed(frame)`` (0-based), ``overlays_changed(shown)`` (the
Overlays box, seen only when the file has overlay planes) and ``redaction_requested()``
from the warning's button. The caller re-windows off the UI thread, e.g. with a kept
``medsnap.imaging.dicom.DicomImage``: ``image.picture(frame, window)``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFrame, QHBoxLayout,
                               QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from medsnap.imaging.source_info import WINDOW_PRESETS, DicomInfo

OWN = "own"      # stable preset ids (settings may remember them): add, never rename
CUSTOM = "custom"
_PRESET_LABELS = {"bone": "Bone", "lung": "Lung", "soft tissue": "Soft tissue"}


class DicomControls(QWidget):
    window_changed = Signal(object)   # (centre, width), or None for the file's own window
    frame_changed = Signal(int)       # 0-based
    overlays_changed = Signal(bool)   # draw the file's overlay planes, or leave them out
    redaction_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Radiograph display")
        self._info: DicomInfo | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._build_warning())
        row = QHBoxLayout()
        self.preset = QComboBox(self)
        self.preset.setAccessibleName("Window preset")
        self.preset.addItem("File's own window", OWN)
        for key, label in _PRESET_LABELS.items():
            center, width = WINDOW_PRESETS[key]
            self.preset.addItem(f"{label} ({center:g} / {width:g})", key)
        self.preset.addItem("Custom", CUSTOM)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.center = self._number("Window centre", -100_000, 100_000)
        self.width = self._number("Window width", 0, 200_000)  # 0 shows "—": no window
        self.frame = QSpinBox(self)
        self.frame.setAccessibleName("Frame")
        self.frame.setMinimum(1)
        self.frame.setKeyboardTracking(False)
        self.frame.valueChanged.connect(lambda value: self.frame_changed.emit(value - 1))
        self.frame_label = QLabel("Frame", self)
        self.frame_label.setBuddy(self.frame)
        self.overlays = QCheckBox("Overlays", self)
        self.overlays.setAccessibleName("Show overlays")
        self.overlays.setToolTip("Marks and text the radiology system keeps with the image, "
                                 "drawn as the PACS viewer shows them. Shown overlays are "
                                 "sent as part of the picture.")
        self.overlays.setChecked(True)
        self.overlays.hide()
        self.overlays.toggled.connect(self.overlays_changed)
        for widget in (QLabel("Window", self), self.preset, QLabel("Centre", self), self.center,
                       QLabel("Width", self), self.width, self.frame_label, self.frame,
                       self.overlays):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)

    def _build_warning(self) -> QFrame:
        self.warning = QFrame(self)
        self.warning.setObjectName("burnedInWarning")
        self.warning.setFrameShape(QFrame.Shape.StyledPanel)
        self.warning.setAccessibleName("Warning: text in the image")
        line = QHBoxLayout(self.warning)
        self.warning_text = QLabel("", self.warning)
        self.warning_text.setWordWrap(True)
        self.redact_button = QPushButton("Redact…", self.warning)
        self.redact_button.setAccessibleName("Use the redaction tool")
        self.redact_button.clicked.connect(self.redaction_requested)
        line.addWidget(self.warning_text, 1)
        line.addWidget(self.redact_button)
        self.warning.hide()
        return self.warning

    def _number(self, name: str, low: float, high: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setAccessibleName(name)
        box.setRange(low, high)
        box.setDecimals(1)
        box.setSpecialValueText("—")  # at the minimum: no window (a colour picture)
        box.setKeyboardTracking(False)  # one change per entry, not per keystroke
        box.valueChanged.connect(self._numbers_entered)
        return box

    # -- model -> widgets (no echo) -----------------------------------------------------
    def show_info(self, info: DicomInfo, frame: int = 0) -> None:
        self._info = info
        grey = not info.is_colour
        for widget in (self.preset, self.center, self.width):
            widget.setEnabled(grey)
        self.preset.setItemText(0, "File's own window" if info.own_window else "Full range")
        with _Quiet(self.preset, self.center, self.width, self.frame):
            shown = info.window or info.own_window
            if shown:
                self.center.setValue(shown[0])
                self.width.setValue(shown[1])
            else:  # a colour picture has no window: not the previous file's numbers
                self.center.setValue(self.center.minimum())
                self.width.setValue(self.width.minimum())
            self.preset.setCurrentIndex(self._preset_index(info.window))
            self.frame.setMaximum(max(1, info.frame_count))
            self.frame.setValue(frame + 1)
        self.overlays.setVisible(info.overlay_count > 0)
        self.frame.setVisible(info.frame_count > 1)
        self.frame_label.setVisible(info.frame_count > 1)
        self.frame_label.setText(f"Frame (of {info.frame_count})")
        self.warning.setVisible(info.burned_in)
        self.warning_text.setText(
            f"This image may show who the patient is ({info.burned_in_reason}). Check it "
            "and cover any name, number, date or face with the redaction tool before sending."
            if info.burned_in else "")

    def _preset_index(self, window) -> int:
        if window is None or (self._info and window == self._info.own_window):
            return 0
        for index in range(self.preset.count()):
            if WINDOW_PRESETS.get(self.preset.itemData(index)) == tuple(window):
                return index
        return self.preset.findData(CUSTOM)

    # -- widgets -> signals ---------------------------------------------------------------
    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key == CUSTOM:
            return self._numbers_entered()
        window = WINDOW_PRESETS.get(key) or (self._info.own_window if self._info else None)
        if window:
            with _Quiet(self.center, self.width):
                self.center.setValue(window[0])
                self.width.setValue(window[1])
        self.window_changed.emit(None if key == OWN else window)

    def _numbers_entered(self, *_args) -> None:
        window = (self.center.value(), self.width.value())
        if window[1] < 1:  # "—" (or 0 typed): no window to apply
            return
        with _Quiet(self.preset):
            self.preset.setCurrentIndex(self._preset_index(window))
        self.window_changed.emit(window)

    def reset_overlays(self) -> None:
        """A newly opened file starts with its overlays shown, as a PACS viewer does."""
        with _Quiet(self.overlays):
            self.overlays.setChecked(True)

    def overlays_shown(self) -> bool:
        return self.overlays.isChecked()

    def current_window(self) -> tuple[float, float] | None:
        if self.preset.currentData() == OWN:
            return None
        return (self.center.value(), self.width.value())


class _Quiet:
    """Block the widgets' signals while the model sets them (no echo)."""

    def __init__(self, *widgets: QWidget) -> None:
        self.widgets = widgets

    def __enter__(self) -> None:
        self.before = [widget.blockSignals(True) for widget in self.widgets]

    def __exit__(self, *_exc) -> None:
        for widget, blocked in zip(self.widgets, self.before):
            widget.blockSignals(blocked)
