"""Strict value checks shared by the model and the JSON reader.

Every check raises DocumentError naming the field, so a bad draft or a bad edit says
what is wrong instead of failing later inside the painter.
"""

from __future__ import annotations

import math
import re
from typing import Any

from medsnap.errors import DocumentError

#: coordinates further than this from the image are certainly a bug or a hostile draft
MAX_COORDINATE = 1_000_000.0
#: a freehand stroke with more points than this is refused (a drag produces a few thousand)
MAX_POINTS = 100_000
MAX_TEXT_LENGTH = 10_000

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?")
_ID = re.compile(r"[0-9a-f]{32}")


def bad(what: str, detail: str) -> DocumentError:
    return DocumentError(
        f"The drawing data is invalid: {what} {detail}. "
        "The picture itself is untouched; discard this draft or report it to IT."
    )


def number(value: Any, what: str, *, low: float = -MAX_COORDINATE,
           high: float = MAX_COORDINATE) -> float:
    """A finite int/float (never a bool) within [low, high], returned as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(what, f"must be a number, not {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise bad(what, "must be a finite number")
    if not low <= result <= high:
        raise bad(what, f"must be between {low:g} and {high:g}, not {result:g}")
    return result


def positive(value: Any, what: str, *, high: float = 10_000.0) -> float:
    result = number(value, what, low=0.0, high=high)
    if result <= 0:
        raise bad(what, "must be greater than zero")
    return result


def integer(value: Any, what: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(what, f"must be a whole number, not {type(value).__name__}")
    if not low <= value <= high:
        raise bad(what, f"must be between {low} and {high}, not {value}")
    return value


def point(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise bad(what, "must be a pair of numbers [x, y]")
    return (number(value[0], f"{what} x"), number(value[1], f"{what} y"))


def points(value: Any, what: str) -> tuple[tuple[float, float], ...]:
    if not isinstance(value, (tuple, list)):
        raise bad(what, "must be a list of points")
    if not 1 <= len(value) <= MAX_POINTS:
        raise bad(what, f"must hold between 1 and {MAX_POINTS} points, not {len(value)}")
    return tuple(point(item, f"{what}[{index}]") for index, item in enumerate(value))


def colour(value: Any, what: str) -> str:
    """'#RRGGBB' or '#RRGGBBAA', returned in upper case."""
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise bad(what, f"must be a colour like #RRGGBB or #RRGGBBAA, not {value!r}")
    return value.upper()


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise bad(what, f"must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT_LENGTH:
        raise bad(what, f"is longer than {MAX_TEXT_LENGTH} characters")
    return value


def identifier(value: Any, what: str = "annotation id") -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise bad(what, "must be 32 lower-case hexadecimal characters")
    return value
