"""Mouse, wheel, pinch and key input on the canvas, translated into tool events and zoom/pan.

Left button: the active tool. Middle button, or Space held with the left button: pan.
Ctrl+wheel or a pinch: zoom around the pointer. Plain wheel: scroll. Esc: abandon a gesture.
Keyboard (drawing without a mouse): Enter draws the active tool's annotation in the middle
of the view and selects it; with the select tool, Enter picks the last annotation drawn,
Tab/Shift+Tab step through them while one is selected, Esc lets go (so Tab leaves the
canvas again), arrow keys move the selection and Ctrl+arrow keys resize it, by one screen
pixel, ten with Shift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QMouseEvent, QNativeGestureEvent, QWheelEvent

from medsnap.ui.qt_enums import Qt

if TYPE_CHECKING:
    from medsnap.document.tools import Modifiers, PointerEvent
    from medsnap.ui.canvas import Canvas


def _nudge(key) -> tuple[int, int] | None:
    """The selection's one-pixel step for an arrow key; None for any other key."""
    return {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1)}.get(key)


def _tools():
    """The tool state machines, loaded on first use (after the first paint), not at start-up."""
    import medsnap.document.tools as tools

    return tools


def _modifiers(qt_modifiers: Qt.KeyboardModifier) -> Modifiers:
    Modifiers = _tools().Modifiers
    result = Modifiers.NONE
    if qt_modifiers & Qt.KeyboardModifier.ShiftModifier:
        result |= Modifiers.SHIFT
    if qt_modifiers & Qt.KeyboardModifier.ControlModifier:
        result |= Modifiers.CONTROL
    if qt_modifiers & Qt.KeyboardModifier.AltModifier:
        result |= Modifiers.ALT
    return result


def keyboard_box(canvas: Canvas) -> tuple[tuple[float, float], float, float]:
    """Where Enter draws (image pixels): the middle of the part of the picture in view
    (within the crop), and a box shaped like a line of text: a sixth of that part's
    shorter side high, three times as wide (an identifier is usually one line)."""
    viewport = canvas.viewport().rect()
    left, top = canvas.to_image(QPointF(viewport.topLeft()))
    right, bottom = canvas.to_image(QPointF(viewport.bottomRight()))
    area = canvas.document.output_rect if canvas.document is not None else None
    if area is not None:
        left, top = max(left, area.x), max(top, area.y)
        right, bottom = min(right, area.right), min(bottom, area.bottom)
    side = max(1.0, min(right - left, bottom - top) / 6)
    return ((left + right) / 2, (top + bottom) / 2), min(side * 3, right - left), side


class CanvasInput:
    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.space_held = False
        self._pan_from: QPointF | None = None
        self._tool_active = False

    def tool_changed(self) -> None:
        self._tool_active = False
        self._update_cursor()

    # -- dispatch ----------------------------------------------------------------------
    def handle(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.MouseMove:
            return self._move(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.MouseButtonRelease:
            return self._release(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.Wheel:
            return self._wheel(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.NativeGesture:
            return self._native_gesture(event)  # type: ignore[arg-type]
        if kind == QEvent.Type.Gesture:
            return self._gesture(event)
        return False

    def _pointer(self, event: QMouseEvent) -> PointerEvent:
        x, y = self.canvas.to_image(event.position())
        Buttons = _tools().Buttons
        buttons = Buttons.LEFT if event.buttons() & Qt.MouseButton.LeftButton else Buttons.NONE
        return _tools().PointerEvent(x, y, buttons, _modifiers(event.modifiers()),
                            1.0 / self.canvas.scale)

    def _editable(self) -> bool:
        c = self.canvas
        return c.document is not None and c.tool is not None and c.sent_preview is None

    # -- mouse -------------------------------------------------------------------------
    def _press(self, event: QMouseEvent) -> bool:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self.space_held):
            self._pan_from = event.position()
            self.canvas.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return True
        if button != Qt.MouseButton.LeftButton or not self._editable():
            return False
        self.canvas.setFocus(Qt.FocusReason.MouseFocusReason)
        tool = self.canvas.tool
        assert tool is not None
        self._tool_active = True
        self.canvas.emit_edit(tool.press(self._pointer(event)))
        if isinstance(tool, _tools().TextTool) and tool.editing is not None:
            self._tool_active = False
            self.canvas.text_requested.emit(tool.editing)
        if isinstance(tool, _tools().SelectTool):
            self.canvas.selection_changed.emit()
        self.canvas.viewport().update()
        return True

    def _move(self, event: QMouseEvent) -> bool:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.canvas.view.pan_by(delta.x(), delta.y())
            self.canvas.refresh()
            return True
        x, y = self.canvas.to_image(event.position())
        if self.canvas.on_picture(x, y):
            self.canvas.pointer_moved.emit(x, y)
        else:
            self.canvas.pointer_off_picture.emit()
        if self._tool_active and self.canvas.tool is not None:
            self.canvas.emit_edit(self.canvas.tool.move(self._pointer(event)))
            self.canvas.viewport().update()
            return True
        return False

    def _release(self, event: QMouseEvent) -> bool:
        if self._pan_from is not None and event.button() in (
                Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self._update_cursor()
            return True
        if not self._tool_active or event.button() != Qt.MouseButton.LeftButton:
            return False
        self._tool_active = False
        tool = self.canvas.tool
        if tool is not None:
            self.canvas.emit_edit(tool.release(self._pointer(event)))
        self.canvas.viewport().update()
        return True

    # -- zoom gestures -----------------------------------------------------------------
    def _wheel(self, event: QWheelEvent) -> bool:
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False  # plain wheel scrolls through the scroll bars
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.canvas.zoom_to(self.canvas.scale * (1.25 ** steps), event.position())
        return True

    def _native_gesture(self, event: QNativeGestureEvent) -> bool:
        if event.gestureType() != Qt.NativeGestureType.ZoomNativeGesture:
            return False
        self.canvas.zoom_to(self.canvas.scale * (1.0 + event.value()), event.position())
        return True

    def _gesture(self, event) -> bool:
        pinch = event.gesture(Qt.GestureType.PinchGesture)
        if pinch is None:
            return False
        factor = pinch.scaleFactor()
        if factor and factor != 1.0:
            centre = self.canvas.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
            self.canvas.zoom_to(self.canvas.scale * factor, QPointF(centre))
        event.accept()
        return True

    # -- keys --------------------------------------------------------------------------
    def key_press(self, event) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = True
            self._update_cursor()
            return True
        if key == Qt.Key.Key_Escape and self.canvas.tool is not None and self.canvas.tool.busy:
            self.canvas.tool.cancel()
            self._tool_active = False
            self.canvas.viewport().update()
            return True
        tool = self.canvas.tool
        if not self._editable():
            return False
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            return self._enter()
        if not isinstance(tool, _tools().SelectTool) or tool.selected() is None:
            return False
        if key == Qt.Key.Key_Escape and plain:
            tool.selected_id = None
            self._selection_shown()
            return True
        nudge = _nudge(key)
        if nudge:
            screen_pixels = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
            step = max(1, round(screen_pixels / self.canvas.scale))
            dx, dy = nudge[0] * step, nudge[1] * step
            grow = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            self.canvas.emit_edit(tool.grow(dx, dy) if grow else tool.nudge(dx, dy))
            self.canvas.viewport().update()
            return True
        return False

    def tab(self, backwards: bool) -> bool:
        """Tab steps through the annotations while one is selected; otherwise Qt moves the
        focus on (nothing selected: Tab never traps a keyboard user in the canvas)."""
        tool = self.canvas.tool
        if not self._editable() or not isinstance(tool, _tools().SelectTool) \
                or tool.selected() is None:
            return False
        tool.step_selection(backwards)
        self._selection_shown()
        return True

    def _enter(self) -> bool:
        tool = self.canvas.tool
        tools = _tools()
        if isinstance(tool, tools.SelectTool):
            if tool.selected() is not None or tool.step_selection(backwards=True) is None:
                return False
            self._selection_shown()
            return True
        if tool.tool_id in tools.NOT_DRAWN or tool.busy:
            return False
        centre, width, height = keyboard_box(self.canvas)
        scale = 1.0 / self.canvas.scale
        path = [tools.PointerEvent(x, y, tools.Buttons.LEFT, tools.Modifiers.NONE, scale)
                for x, y in tools.keyboard_path(tool.tool_id, centre, width, height)]
        tool.press(path[0])
        if isinstance(tool, tools.TextTool):
            if tool.editing is not None:
                self.canvas.text_requested.emit(tool.editing)
            return True
        for event in path[1:]:
            tool.move(event)
        edit = tool.release(path[-1])
        self.canvas.emit_edit(edit)
        self.canvas.viewport().update()
        if edit is not None:
            self.canvas.placed_by_keys.emit(edit.annotation.id)
        return True

    def _selection_shown(self) -> None:
        self.canvas.selection_changed.emit()
        self.canvas.viewport().update()

    def key_release(self, event) -> bool:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.space_held = False
            self._update_cursor()
            return True
        return False

    def _update_cursor(self) -> None:
        viewport = self.canvas.viewport()
        if self.space_held:
            viewport.setCursor(Qt.CursorShape.OpenHandCursor)
        elif self.canvas.tool is None or isinstance(self.canvas.tool, _tools().SelectTool):
            viewport.unsetCursor()  # the arrow
        elif isinstance(self.canvas.tool, _tools().TextTool):
            viewport.setCursor(Qt.CursorShape.IBeamCursor)
        else:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
