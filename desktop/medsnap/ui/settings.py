"""Every user preference the editor keeps, declared once with its type, default and check.

Keys are permanent strings (add, never rename). Values live in QSettings under the
organisation "MedSnap"; tests hand the window a QSettings on a temporary file.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")
MAX_RECENT = 8


class Setting:
    """One preference (a plain class: importing ``dataclasses`` costs start-up time)."""

    __slots__ = ("key", "kind", "default", "valid")

    def __init__(self, key: str, kind: type, default: Any,
                 valid: Callable[[Any], bool] = lambda value: True) -> None:
        self.key, self.kind, self.default, self.valid = key, kind, default, valid

    def read(self, settings: QSettings) -> Any:
        raw = settings.value(self.key, None)
        if raw is None:
            return self.default
        try:
            value = _coerce(raw, self.kind)
        except (TypeError, ValueError):
            return self.default
        return value if self.valid(value) else self.default

    def write(self, settings: QSettings, value: Any) -> None:
        if self.read(settings) == value:
            return  # nothing new: QSettings would rewrite (and fsync) its file all the same
        settings.setValue(self.key, value)


def _coerce(raw: Any, kind: type) -> Any:
    if kind is list:
        if isinstance(raw, str):
            return [raw] if raw else []
        return [str(item) for item in raw]
    if kind is QByteArray:
        return raw if isinstance(raw, QByteArray) else QByteArray(raw)
    return kind(raw)


WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("window/state", QByteArray, QByteArray())
#: no longer written (full paths name patients; see window_memory); kept to be removed
RECENT_FILES = Setting("files/recent", list, [], lambda paths: len(paths) <= 50)
#: no longer written either (a folder's path can name a patient; see file_folders)
LAST_DIRECTORY = Setting("files/last_directory", str, "")
LAST_TOOL = Setting("tools/last", str, "select")
#: the staff id last signed in in this window on this OS account (never the command line's
#: --as), for the welcome screen; removed on Switch user, as the next one is someone else
LAST_SIGN_IN = Setting("welcome/last_staff_id", str, "",
                       lambda value: re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", value) is not None)

#: default colour and width per tool id (the clinician's choice is remembered per tool)
TOOL_DEFAULTS: dict[str, tuple[str, float]] = {
    "arrow": ("#E53935", 4.0),
    "line": ("#E53935", 4.0),
    "rectangle": ("#E53935", 4.0),
    "ellipse": ("#E53935", 4.0),
    "pen": ("#E53935", 4.0),
    "highlighter": ("#FFEB3B", 24.0),
    "text": ("#E53935", 28.0),
    "marker": ("#E53935", 28.0),
    "redaction": ("#000000", 1.0),
    "redaction-brush": ("#000000", 32.0),
}


def tool_colour(tool_id: str) -> Setting:
    default = TOOL_DEFAULTS.get(tool_id, ("#E53935", 4.0))[0]
    return Setting(f"tools/{tool_id}/colour", str, default, lambda v: bool(_COLOUR.match(v)))


def tool_width(tool_id: str) -> Setting:
    default = TOOL_DEFAULTS.get(tool_id, ("#E53935", 4.0))[1]
    return Setting(f"tools/{tool_id}/width", float, default, lambda v: 0.5 <= v <= 400)


def newest_first(paths: list[str], path: str) -> list[str]:
    """``path`` first, once, and at most MAX_RECENT paths."""
    return [path, *(p for p in paths if p != path)][:MAX_RECENT]
