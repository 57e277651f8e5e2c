"""The send panel's layout: the fields scroll, the Send row does not.

The fields (who is signed in, To, the note, the declaration, priority, expiry) vary in height:
an offline line, a key-change warning, a wrapped name. With Send below them in one scrolled
column, at 1366x768 offline it slid under the fold and a tester sent with Ctrl+Enter (NU6). So
the fields sit in a scroll area of their own and Preview, Send, the next-step hint and the
outcome stay beneath it, always on screen: the dock is never shorter than that row.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QScrollArea,
                               QVBoxLayout, QWidget)

from medsnap.ui.qt_enums import Qt

#: the fields keep at least this much of the panel (about two rows): never squeezed to nothing
FIELDS_MIN_HEIGHT = 64


def lay_out(panel) -> QScrollArea:
    """Arrange ``panel``'s widgets (made by SendPanel); returns the fields' scroll area."""
    fields = QWidget(panel)
    fields.setObjectName("sendFields")
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.addRow("Note", panel.note)
    form.addRow("Patient", panel.declaration)
    form.addRow("Priority", panel.priority)
    form.addRow("Expires", panel.expires)
    column = QVBoxLayout(fields)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    column.addWidget(panel.who)
    column.addWidget(panel.sign_in)
    column.addWidget(QLabel("<b>To</b>", fields))
    column.addWidget(panel.picker)
    column.addLayout(form)
    column.addStretch(1)

    scroll = QScrollArea(panel)
    scroll.setObjectName("sendFieldsScroll")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setWidget(fields)
    scroll.setMinimumHeight(FIELDS_MIN_HEIGHT)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not to the area

    buttons = QHBoxLayout()  # side by side: one row, not two, beneath the fields
    buttons.setSpacing(6)
    buttons.addWidget(panel.preview)
    buttons.addWidget(panel.send, 1)
    layout = QVBoxLayout(panel)
    layout.setSpacing(4)
    layout.addWidget(scroll, 1)
    layout.addLayout(buttons)
    layout.addWidget(_keeping_a_line(panel, panel.why_not))
    layout.addWidget(panel.outcome)
    return scroll


def _keeping_a_line(panel, label: QLabel) -> QWidget:
    """``label`` in a holder one line high even when it is hidden: Send stayed where it was
    when the hint under it went, instead of jumping a line down as it became usable (a
    tester's click at its old place missed)."""
    holder = QWidget(panel)
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(label)
    holder.setMinimumHeight(label.fontMetrics().lineSpacing() + 2 * label.margin())
    return holder
