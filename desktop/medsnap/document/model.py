"""The Document: a picture, an optional crop and an ordered stack of annotations.

The Document emits no signals. Every change goes through an Edit (``edits.py``), which
calls the low-level mutators below; the UI re-reads the document after applying one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from medsnap.document import checks
from medsnap.document.annotations import Annotation
from medsnap.document.geometry import Rect
from medsnap.errors import DocumentError

if TYPE_CHECKING:  # imaging is pure Python too, but the model needs only the size
    from medsnap.imaging import Picture

MAX_SIDE = 1_000_000


class Document:
    def __init__(self, picture: Picture | None = None, *, size: tuple[int, int] | None = None,
                 crop: Rect | None = None, annotations: Iterable[Annotation] = ()):
        if picture is not None:
            picture_size = (picture.width, picture.height)
            if size is not None and tuple(size) != picture_size:
                raise DocumentError(
                    f"This drawing was made for a {size[0]}x{size[1]} picture, but the picture "
                    f"is {picture_size[0]}x{picture_size[1]}. Nothing was changed; "
                    "open the drawing with the picture it was made for.")
            size = picture_size
        if size is None:
            raise DocumentError("A document needs a picture or a size.")
        self.picture = picture
        self.size: tuple[int, int] = (
            checks.integer(size[0], "picture width", low=1, high=MAX_SIDE),
            checks.integer(size[1], "picture height", low=1, high=MAX_SIDE))
        self._crop: Rect | None = None
        self._annotations: list[Annotation] = []
        self.set_crop(crop)
        for annotation in annotations:
            self.insert(len(self._annotations), annotation)

    # -- reading ------------------------------------------------------------------------

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    @property
    def crop(self) -> Rect | None:
        return self._crop

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        """Bottom to top, in paint order (redactions are painted last regardless)."""
        return tuple(self._annotations)

    @property
    def image_rect(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    @property
    def output_rect(self) -> Rect:
        """The part of the picture that is exported: the crop, else the whole picture."""
        return self._crop if self._crop is not None else self.image_rect

    def output_box(self) -> tuple[int, int, int, int]:
        """The exported area in whole pixels (left, top, right, bottom), inside the picture."""
        left, top, right, bottom = self.output_rect.pixel_box()
        return (max(left, 0), max(top, 0), min(right, self.width), min(bottom, self.height))

    def find(self, annotation_id: str) -> Annotation | None:
        for annotation in self._annotations:
            if annotation.id == annotation_id:
                return annotation
        return None

    def get(self, annotation_id: str) -> Annotation:
        found = self.find(annotation_id)
        if found is None:
            raise DocumentError(f"There is no annotation {annotation_id} in this drawing.")
        return found

    def index_of(self, annotation_id: str) -> int:
        for index, annotation in enumerate(self._annotations):
            if annotation.id == annotation_id:
                return index
        raise DocumentError(f"There is no annotation {annotation_id} in this drawing.")

    def drawings(self) -> tuple[Annotation, ...]:
        return tuple(a for a in self._annotations if not a.redacts)

    def redactions(self) -> tuple[Annotation, ...]:
        return tuple(a for a in self._annotations if a.redacts)

    def bounds(self, annotation: Annotation | str) -> Rect:
        """Everything the annotation paints, in image pixels."""
        if isinstance(annotation, str):
            annotation = self.get(annotation)
        return annotation.bounds()

    def snapshot(self) -> tuple:
        """A comparable value of everything an edit can change."""
        return (self.size, self._crop, tuple(self._annotations))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return self.picture is other.picture and self.snapshot() == other.snapshot()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (f"Document(size={self.size}, crop={self._crop}, "
                f"annotations={len(self._annotations)})")

    # -- low-level mutators: call them through an Edit -----------------------------------

    def insert(self, index: int, annotation: Annotation) -> None:
        if not isinstance(annotation, Annotation) or not annotation.kind:
            raise DocumentError("Only annotations can be added to a drawing.")
        if self.find(annotation.id) is not None:
            raise DocumentError(f"The drawing already holds annotation {annotation.id}.")
        if not 0 <= index <= len(self._annotations):
            raise DocumentError(f"Position {index} is outside the annotation stack.")
        self._annotations.insert(index, annotation)

    def remove(self, annotation_id: str) -> tuple[int, Annotation]:
        index = self.index_of(annotation_id)
        return index, self._annotations.pop(index)

    def replace(self, annotation: Annotation) -> Annotation:
        if not isinstance(annotation, Annotation) or not annotation.kind:
            raise DocumentError("Only annotations can be added to a drawing.")
        index = self.index_of(annotation.id)
        old, self._annotations[index] = self._annotations[index], annotation
        return old

    def move_to(self, annotation_id: str, index: int) -> int:
        """Restack an annotation at ``index``; returns its previous index."""
        if not 0 <= index < len(self._annotations):
            raise DocumentError(f"Position {index} is outside the annotation stack.")
        old_index, annotation = self.remove(annotation_id)
        self._annotations.insert(index, annotation)
        return old_index

    def set_crop(self, crop: Rect | None) -> None:
        if crop is not None:
            if not isinstance(crop, Rect):
                raise DocumentError("A crop must be a Rect.")
            if crop.width < 1 or crop.height < 1 or not self.image_rect.contains_rect(crop):
                raise DocumentError(
                    f"The crop {crop.x:g},{crop.y:g} {crop.width:g}x{crop.height:g} must be at "
                    f"least one pixel and lie inside the {self.width}x{self.height} picture.")
        self._crop = crop
