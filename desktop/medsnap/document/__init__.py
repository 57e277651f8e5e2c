"""The document model: picture + crop + ordered annotations, changed only by Edits.

Pure Python (no Qt). Coordinates are floats in pixels of the UPRIGHT source image.
"""

from __future__ import annotations

from medsnap.document.annotations import (
    ANNOTATION_TYPES,
    Annotation,
    Arrow,
    Ellipse,
    Highlighter,
    Line,
    Marker,
    Pen,
    Rectangle,
    Redaction,
    RedactionBrush,
    Text,
    arrow_head,
    marker_radius,
    new_id,
    text_padding,
)
from medsnap.document.edits import (
    AddAnnotation,
    Compound,
    Edit,
    RemoveAnnotation,
    ReplaceAnnotation,
    Restack,
    SetCrop,
)
from medsnap.document.geometry import Point, Rect
from medsnap.document.model import Document
from medsnap.document.serialization import (
    FORMAT,
    VERSION,
    annotation_from_json,
    annotation_to_json,
    document_from_json,
    document_to_json,
)
from medsnap.document.style import HIGHLIGHTER_STYLE, REDACTION_STYLE, Style, rgba
from medsnap.errors import DocumentError

__all__ = [
    "ANNOTATION_TYPES", "Annotation", "Arrow", "Ellipse", "Highlighter", "Line", "Marker",
    "Pen", "Rectangle", "Redaction", "RedactionBrush", "Text", "arrow_head", "marker_radius",
    "new_id", "text_padding", "AddAnnotation", "Compound", "Edit", "RemoveAnnotation",
    "ReplaceAnnotation", "Restack", "SetCrop", "Point", "Rect", "Document", "FORMAT",
    "VERSION", "annotation_from_json", "annotation_to_json", "document_from_json",
    "document_to_json", "HIGHLIGHTER_STYLE", "REDACTION_STYLE", "Style", "rgba",
    "DocumentError",
]
