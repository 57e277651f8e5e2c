"""The tool strip: one checkable action per tool (icon, name, one-key shortcut), the
colour and width pickers, remembered per tool, and the numbered marker's "Next" box."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (QDoubleSpinBox, QLabel, QMenu, QSpinBox, QToolBar, QToolButton,
                               QWidget)

from medsnap.ui.tool_catalogue import TOOLS, TOOLS_BY_ID
from medsnap.ui import settings as prefs
from medsnap.ui.icons import icon

#: Qt.Orientation.Vertical by value: the orientation property takes it without setting up
#: all of Qt's enums before the first paint (see qt_enums)
_VERTICAL = 2

#: quick colours: clinical red, amber, green, blue, black, white
SWATCHES = (("Red", "#E53935"), ("Yellow", "#FFEB3B"), ("Green", "#2E7D32"),
            ("Blue", "#1E63D6"), ("Black", "#000000"), ("White", "#FFFFFF"))


def swatch_icon(colour: str) -> QIcon:
    pixmap = QPixmap(18, 18)
    pixmap.fill(QColor(colour[:7]))
    return QIcon(pixmap)


class ToolStrip(QToolBar):
    tool_chosen = Signal(str)
    style_changed = Signal(str, float)  # colour, width (or font size) for the active tool
    next_number_chosen = Signal(int)  # the number the next marker gets

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("Tools", parent)
        self.setObjectName("tools")
        self.setAccessibleName("Annotation tools")
        self.setIconSize(QSize(22, 22))
        self.setProperty("orientation", _VERTICAL)
        self.setMovable(False)
        self.settings = settings
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions_by_id: dict[str, QAction] = {}
        for info in TOOLS:
            action = QAction(icon(info.tool_id), info.label, self)
            action.setCheckable(True)
            # as a list: setShortcut() would try its Qt.Key overload and set up every Qt enum
            action.setShortcuts([QKeySequence(info.key)])
            action.setToolTip(f"{info.label} ({info.key})")
            action.setStatusTip(info.hint)
            action.setData(info.tool_id)
            action.triggered.connect(lambda _=False, tool_id=info.tool_id: self.choose(tool_id))
            self.group.addAction(action)
            self.addAction(action)
            self.actions_by_id[info.tool_id] = action
            self.widgetForAction(action).setAccessibleName(info.label)
        # the colour and width pickers live in the main toolbar (see style_widgets)
        self.colour_button = QToolButton(self)
        self.colour_button.setAccessibleName("Colour")
        self.colour_button.setToolTip("Colour of the active tool")
        self.colour_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.colour_menu = QMenu(self.colour_button)
        for name, colour in SWATCHES:
            item = self.colour_menu.addAction(swatch_icon(colour), name)
            item.triggered.connect(lambda _=False, c=colour: self.set_colour(c))
        self.colour_menu.addSeparator()
        self.colour_menu.addAction("Other colour…").triggered.connect(self._pick_colour)
        self.colour_button.setMenu(self.colour_menu)  # shows its icon only (the default)
        self.width_label = QLabel(" Width ", self)
        self.width_box = QDoubleSpinBox(self)
        self.width_box.setAccessibleName("Line width")
        self.width_box.setDecimals(0)
        self.width_box.setRange(1, 400)
        self.width_box.setKeyboardTracking(False)
        self.width_box.valueChanged.connect(self._width_edited)
        self.width_label.setBuddy(self.width_box)
        self.next_label = QLabel(" Next ", self)
        self.next_box = QSpinBox(self)
        self.next_box.setAccessibleName("Next marker number")
        self.next_box.setToolTip("The number the next marker gets: raise it to carry on from "
                                 "numbers already on the picture (a reply)")
        self.next_box.setKeyboardTracking(False)
        self.next_box.valueChanged.connect(self.next_number_chosen)
        self.next_label.setBuddy(self.next_box)
        self.next_actions: list[QAction] = []  # their places in the main toolbar
        self.tool_id = ""
        self.colour = "#E53935"

    # -- state -------------------------------------------------------------------------
    def choose(self, tool_id: str) -> None:
        info = TOOLS_BY_ID[tool_id]
        self.tool_id = tool_id
        self.actions_by_id[tool_id].setChecked(True)
        self.colour = prefs.tool_colour(tool_id).read(self.settings)
        width = prefs.tool_width(tool_id).read(self.settings)
        styled = info.styled and tool_id not in ("redaction-brush",)
        self.colour_button.setEnabled(styled)
        self.width_box.setEnabled(info.size_kind is not None)
        self.width_label.setText(" Size " if info.size_kind == "size" else " Width ")
        self.width_box.setAccessibleName("Text size" if info.size_kind == "size" else "Line width")
        self.width_box.blockSignals(True)
        self.width_box.setValue(width)
        self.width_box.blockSignals(False)
        self._show_colour()
        for action in self.next_actions:
            action.setVisible(tool_id == "marker")
        prefs.LAST_TOOL.write(self.settings, tool_id)
        self.tool_chosen.emit(tool_id)

    @property
    def width(self) -> float:
        return float(self.width_box.value())

    def _remembers(self) -> bool:
        return bool(self.tool_id) and TOOLS_BY_ID[self.tool_id].size_kind is not None

    def set_colour(self, colour: str) -> None:
        self.colour = colour.upper()
        if self._remembers():
            prefs.tool_colour(self.tool_id).write(self.settings, self.colour)
        self._show_colour()
        self.style_changed.emit(self.colour, self.width)

    def _width_edited(self, value: float) -> None:
        if self._remembers():
            prefs.tool_width(self.tool_id).write(self.settings, float(value))
        self.style_changed.emit(self.colour, float(value))

    def _show_colour(self) -> None:
        self.colour_button.setIcon(swatch_icon(self.colour))
        self.colour_button.setText(self.colour)
        self.colour_button.setAccessibleDescription(f"Current colour {self.colour}")

    def _pick_colour(self) -> None:
        from PySide6.QtWidgets import QColorDialog

        chosen = QColorDialog.getColor(QColor(self.colour[:7]), self, "Annotation colour")
        if chosen.isValid():
            self.set_colour(chosen.name(QColor.NameFormat.HexRgb))

    def show_selection(self, annotation, unit: float) -> None:
        """With the select tool, the pickers show and change the selected annotation."""
        styled = annotation is not None and not (annotation.redacts
                                                 and annotation.kind != "redaction-brush")
        self.colour_button.setEnabled(styled and not annotation.redacts)
        self.width_box.setEnabled(styled)
        if not styled:
            return
        size_kind = "size" if annotation.kind in ("text", "marker") else "width"
        value = (annotation.style.font_size if size_kind == "size" else
                 getattr(annotation, "width", None) if annotation.kind == "redaction-brush"
                 else annotation.style.width)
        self.colour = annotation.style.colour
        self._show_colour()
        self.width_label.setText(" Size " if size_kind == "size" else " Width ")
        self.width_box.blockSignals(True)
        self.width_box.setValue(round(value / unit))
        self.width_box.blockSignals(False)

    def show_next_number(self, lowest: int, value: int, highest: int) -> None:
        """The marker tool's next number; ``lowest``: one above the highest already placed."""
        self.next_box.blockSignals(True)
        self.next_box.setRange(lowest, highest)
        self.next_box.setValue(value)
        self.next_box.blockSignals(False)

    def style_widgets(self) -> list[QWidget]:
        return [self.colour_button, self.width_label, self.width_box]

    def next_widgets(self) -> list[QWidget]:
        return [self.next_label, self.next_box]
