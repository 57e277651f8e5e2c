"""How one inbox (or Sent) row looks: two lines in a narrow panel, like a mail list.

Line one: unread dot and the signed sender's name (bold while unread), the time on the right.
Line two: an "Urgent" tag in red when the sender marked it so, then the start of the note
(or why a message was refused). The data sits in item roles; the delegate only paints.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

ID_ROLE = Qt.ItemDataRole.UserRole  # the inbox item id
TIME_ROLE = Qt.ItemDataRole.UserRole + 1  # "14:05" or "28 Nov 14:05"
PREVIEW_ROLE = Qt.ItemDataRole.UserRole + 2  # second line: note preview, reason, or hint
URGENT_ROLE = Qt.ItemDataRole.UserRole + 3  # bool
HINT_ROLE = Qt.ItemDataRole.UserRole + 4  # bool: line two is a hint, not the sender's words

URGENT_TAG = "Urgent"
URGENT_RED = QColor("#b3261e")
PADDING = 4  # a fifth row fits in the panel at 1366x768


class InboxRowDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        lines = QFontMetrics(option.font).height() * 2 + 2
        return QSize(200, lines + 2 * PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        sender = opt.text
        opt.text = ""  # the style paints background, selection and focus; the lines are ours
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active if opt.state & QStyle.StateFlag.State_Active \
            else QPalette.ColorGroup.Inactive
        text_colour = opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected
                                         else QPalette.ColorRole.Text)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if foreground is not None and not selected:
            text_colour = foreground.color() if hasattr(foreground, "color") else QColor(foreground)
        muted = QColor(text_colour) if selected else QColor("#5f6b76")
        # a row in a warning colour (refused, not sent) says its time or state in it too
        time_colour = text_colour if foreground is not None else muted

        area = opt.rect.adjusted(PADDING + 2, PADDING, -PADDING - 2, -PADDING)
        line = QFontMetrics(opt.font).height()
        painter.save()
        self._line_one(painter, opt, QRect(area.left(), area.top(), area.width(), line),
                       sender, str(index.data(TIME_ROLE) or ""), text_colour, time_colour)
        self._line_two(painter, opt, QRect(area.left(), area.top() + line + 2, area.width(),
                                           line), index, muted)
        painter.restore()

    @staticmethod
    def _line_one(painter: QPainter, opt: QStyleOptionViewItem, rect: QRect, sender: str,
                  time: str, colour: QColor, muted: QColor) -> None:
        plain = QFont(opt.font)
        plain.setBold(False)
        time_width = QFontMetrics(plain).horizontalAdvance(time) + 8 if time else 0
        painter.setFont(plain)
        painter.setPen(muted)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, time)
        painter.setFont(opt.font)  # bold while unread (the item's font)
        painter.setPen(colour)
        name_rect = rect.adjusted(0, 0, -time_width, 0)
        elided = QFontMetrics(opt.font).elidedText(sender, Qt.TextElideMode.ElideRight,
                                                   name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided)

    @staticmethod
    def _line_two(painter: QPainter, opt: QStyleOptionViewItem, rect: QRect,
                  index: QModelIndex, muted: QColor) -> None:
        font = QFont(opt.font)
        font.setBold(False)
        font.setItalic(bool(index.data(HINT_ROLE)))
        left = rect.left()
        if index.data(URGENT_ROLE):
            tag_font = QFont(font)
            tag_font.setBold(True)
            tag_font.setItalic(False)
            metrics = QFontMetrics(tag_font)
            tag = QRect(left, rect.top() + 1, metrics.horizontalAdvance(URGENT_TAG) + 10,
                        rect.height() - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(URGENT_RED)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(tag, 3, 3)
            painter.setFont(tag_font)
            painter.setPen(QColor("white"))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, URGENT_TAG)
            left = tag.right() + 7
        painter.setFont(font)
        painter.setPen(muted)
        text_rect = QRect(left, rect.top(), rect.right() - left, rect.height())
        elided = QFontMetrics(font).elidedText(str(index.data(PREVIEW_ROLE) or ""),
                                               Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided)
