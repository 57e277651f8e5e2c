"""Versioned JSON for drafts: ``document_to_json`` / ``document_from_json``.

Format ``medsnap.document`` version 1::

    {"format": "medsnap.document", "version": 1, "size": [w, h],
     "crop": null | {"x":, "y":, "width":, "height":},
     "annotations": [{"kind": "arrow", "id": "<32 hex>",
                      "style": {"colour": "#RRGGBB[AA]", "width":, "fill": null|colour,
                                "font_size":}, "start": [x, y], "end": [x, y]}, ...]}

Reading is strict: unknown versions, kinds or keys, wrong types, non-finite numbers and
bad colours raise DocumentError. Field names are permanent; add, never rename.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from medsnap.document import checks
from medsnap.document.annotations import ANNOTATION_TYPES, MAX_MARKER_NUMBER, Annotation
from medsnap.document.geometry import Rect
from medsnap.document.model import Document
from medsnap.document.style import Style
from medsnap.errors import DocumentError

if TYPE_CHECKING:
    from medsnap.imaging import Picture

FORMAT = "medsnap.document"
VERSION = 1
MAX_ANNOTATIONS = 10_000


def _rect_to_json(rect: Rect) -> dict:
    return {"x": rect.x, "y": rect.y, "width": rect.width, "height": rect.height}


def _rect_from_json(value: Any, what: str) -> Rect:
    _exact_keys(value, {"x", "y", "width", "height"}, what)
    return Rect(checks.number(value["x"], f"{what} x"), checks.number(value["y"], f"{what} y"),
                checks.number(value["width"], f"{what} width", low=0.0),
                checks.number(value["height"], f"{what} height", low=0.0))


def _optional_width(value: Any, what: str) -> float | None:
    return None if value is None else checks.positive(value, what, high=checks.MAX_COORDINATE)


# how each annotation field travels: (to JSON, from JSON)
_FIELDS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, str], Any]]] = {
    "start": (list, checks.point),
    "end": (list, checks.point),
    "position": (list, checks.point),
    "centre": (list, checks.point),
    "points": (lambda pts: [list(p) for p in pts], checks.points),
    "rect": (_rect_to_json, _rect_from_json),
    "text": (str, checks.text),
    "box_width": (lambda v: v, _optional_width),
    "number": (int, lambda v, what: checks.integer(v, what, low=0, high=MAX_MARKER_NUMBER)),
    "width": (float, lambda v, what: checks.positive(v, what)),
}


def _own_fields(cls: type[Annotation]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.name not in ("id", "style")]


def style_to_json(style: Style) -> dict:
    return {"colour": style.colour, "width": style.width, "fill": style.fill,
            "font_size": style.font_size}


def style_from_json(value: Any) -> Style:
    _exact_keys(value, {"colour", "width", "fill", "font_size"}, "style")
    return Style(colour=value["colour"], width=value["width"], fill=value["fill"],
                 font_size=value["font_size"])


def annotation_to_json(annotation: Annotation) -> dict:
    data: dict[str, Any] = {"kind": annotation.kind, "id": annotation.id,
                            "style": style_to_json(annotation.style)}
    for name in _own_fields(type(annotation)):
        data[name] = _FIELDS[name][0](getattr(annotation, name))
    return data


def annotation_from_json(value: Any) -> Annotation:
    if not isinstance(value, dict):
        raise checks.bad("annotation", "must be an object")
    kind = value.get("kind")
    cls = ANNOTATION_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise checks.bad("annotation kind", f"{kind!r} is not known to this version of MedSnap")
    names = _own_fields(cls)
    _exact_keys(value, {"kind", "id", "style", *names}, f"{kind} annotation")
    fields = {name: _FIELDS[name][1](value[name], f"{kind} {name}") for name in names}
    return cls(id=checks.identifier(value["id"]), style=style_from_json(value["style"]),
               **fields)


def document_to_json(document: Document) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "size": [document.width, document.height],
        "crop": None if document.crop is None else _rect_to_json(document.crop),
        "annotations": [annotation_to_json(a) for a in document.annotations],
    }


def document_from_json(data: Any, picture: Picture | None = None) -> Document:
    """Rebuild a Document; with a picture, the saved size must match it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise checks.bad("document", f"is not a {FORMAT} object")
    version = data.get("version")
    if isinstance(version, bool) or version != VERSION:
        raise DocumentError(
            f"This drawing was saved in format version {version!r}, which this version of "
            f"MedSnap (reads version {VERSION}) cannot open. Nothing was changed; "
            "open it with a newer MedSnap.")
    _exact_keys(data, {"format", "version", "size", "crop", "annotations"}, "document")
    size = data["size"]
    if not isinstance(size, list) or len(size) != 2:
        raise checks.bad("document size", "must be [width, height]")
    crop = None if data["crop"] is None else _rect_from_json(data["crop"], "crop")
    items = data["annotations"]
    if not isinstance(items, list) or len(items) > MAX_ANNOTATIONS:
        raise checks.bad("annotations", f"must be a list of at most {MAX_ANNOTATIONS}")
    annotations = [annotation_from_json(item) for item in items]
    width = checks.integer(size[0], "document width", low=1, high=1_000_000)
    height = checks.integer(size[1], "document height", low=1, high=1_000_000)
    return Document(picture, size=(width, height), crop=crop, annotations=annotations)


def _exact_keys(value: Any, expected: set[str], what: str) -> None:
    if not isinstance(value, dict):
        raise checks.bad(what, "must be an object")
    keys = set(value)
    if keys != expected:
        problems = []
        if keys - expected:
            problems.append(f"has unknown fields {sorted(map(str, keys - expected))}")
        if expected - keys:
            problems.append(f"lacks fields {sorted(expected - keys)}")
        raise checks.bad(what, " and ".join(problems))
