from __future__ import annotations

import dataclasses
import json
import math

import pytest

from medsnap.document import (
    ANNOTATION_TYPES, AddAnnotation, Arrow, Compound, Document, DocumentError, Marker, Pen,
    Rect, Rectangle, Redaction, RemoveAnnotation, ReplaceAnnotation, Restack, SetCrop, Style,
    Text, document_from_json, document_to_json,
)

from document_samples import one_of_each


def full_document() -> Document:
    return Document(size=(200, 150), crop=Rect(5, 5, 150, 100), annotations=one_of_each())


def test_samples_cover_every_kind():
    assert {a.kind for a in one_of_each()} == set(ANNOTATION_TYPES)


@pytest.mark.parametrize("annotation", one_of_each(), ids=lambda a: a.kind)
def test_every_kind_round_trips_through_json_text(annotation):
    document = Document(size=(100, 100), annotations=[annotation])
    text = json.dumps(document_to_json(document))
    restored = document_from_json(json.loads(text))
    assert restored == document
    assert type(restored.annotations[0]) is type(annotation)
    assert restored.annotations[0].id == annotation.id


def test_whole_document_round_trips_with_crop_and_order():
    document = full_document()
    restored = document_from_json(json.loads(json.dumps(document_to_json(document))))
    assert restored.snapshot() == document.snapshot()
    assert [a.id for a in restored.annotations] == [a.id for a in document.annotations]


def test_picture_size_must_match_the_saved_size():
    class FakePicture:  # only the size is read
        width, height = 100, 100

    data = document_to_json(Document(size=(200, 150)))
    with pytest.raises(DocumentError, match="200x150"):
        document_from_json(data, FakePicture())


def _broken(path, value):
    data = document_to_json(full_document())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("path,value", [
    (("version",), 2),
    (("version",), True),
    (("format",), "something.else"),
    (("size",), [0, 10]),
    (("size",), [10.5, 10]),
    (("size",), "10x10"),
    (("crop",), {"x": 0, "y": 0, "width": 500, "height": 10}),
    (("crop", "x"), float("nan")),
    (("annotations", 0, "kind"), "blur"),
    (("annotations", 0, "id"), "not-an-id"),
    (("annotations", 0, "start"), [1, float("inf")]),
    (("annotations", 0, "start"), [1, True]),
    (("annotations", 0, "start"), [1]),
    (("annotations", 0, "end"), KeyError),
    (("annotations", 0, "extra"), 1),
    (("annotations", 0, "style", "colour"), "red"),
    (("annotations", 0, "style", "colour"), "#12345"),
    (("annotations", 0, "style", "width"), -1),
    (("annotations", 0, "style", "width"), "4"),
    (("annotations", 2, "style", "fill"), 7),
    (("annotations", 4, "points"), []),
    (("annotations", 6, "text"), 12),
    (("annotations", 6, "box_width"), 0),
    (("annotations", 8, "number"), 2.0),
    (("annotations", 8, "number"), -1),
    (("annotations", 10, "width"), math.inf),
    (("annotations",), {}),
])
def test_invalid_json_raises_document_error(path, value):
    with pytest.raises(DocumentError) as caught:
        document_from_json(_broken(path, value))
    assert caught.value.message


@pytest.mark.parametrize("data", [None, [], "text", 3, {"format": "medsnap.document"}])
def test_non_documents_raise_document_error(data):
    with pytest.raises(DocumentError):
        document_from_json(data)


def test_duplicate_ids_are_refused():
    arrow = Arrow(start=(0, 0), end=(1, 1))
    with pytest.raises(DocumentError):
        Document(size=(10, 10), annotations=[arrow, arrow])


def test_style_and_geometry_validate_on_construction():
    with pytest.raises(DocumentError):
        Style(colour="#GGGGGG")
    with pytest.raises(DocumentError):
        Rect(0, 0, -1, 5)
    with pytest.raises(DocumentError):
        Marker(number=True, centre=(0, 0))
    assert Style(colour="#abcdef").colour == "#ABCDEF"


def test_lookup_and_bounds():
    document = full_document()
    arrow = document.annotations[0]
    assert document.get(arrow.id) is arrow
    assert document.find("0" * 32) is None
    with pytest.raises(DocumentError):
        document.get("0" * 32)
    bounds = document.bounds(arrow)
    assert bounds.contains(arrow.start) and bounds.contains(arrow.end)
    assert [a.kind for a in document.redactions()] == ["redaction", "redaction-brush"]
    assert document.output_box() == (5, 5, 155, 105)


def test_arrow_head_grows_with_width():
    thin = Arrow(start=(0, 0), end=(200, 0), style=Style(width=2)).head()
    thick = Arrow(start=(0, 0), end=(200, 0), style=Style(width=12)).head()
    assert thin[0] == thick[0] == (200, 0)
    assert 200 - thick[3][0] > 200 - thin[3][0]


def test_moved_shifts_every_kind_and_keeps_id():
    for annotation in one_of_each():
        moved = annotation.moved(3, -2)
        assert moved.id == annotation.id and moved != annotation
        before, after = annotation.bounds(), moved.bounds()
        assert (after.x - before.x, after.y - before.y) == pytest.approx((3, -2))


def _edits_for(document: Document):
    first, second = document.annotations[0], document.annotations[1]
    pen = Pen(points=((0, 0), (4, 4)))
    return [
        AddAnnotation(pen),
        AddAnnotation(Text(text="x", position=(1, 1)), index=0),
        RemoveAnnotation(second),
        ReplaceAnnotation(first, first.moved(5, 5)),
        ReplaceAnnotation(first, dataclasses.replace(first, style=Style(colour="#00FF00"))),
        Restack(first, len(document.annotations) - 1),
        SetCrop(document.crop, Rect(0, 0, 10, 10)),
        SetCrop(document.crop, None),
        Compound([AddAnnotation(pen), ReplaceAnnotation(first, first.moved(1, 0)),
                  SetCrop(document.crop, None)], "Several"),
    ]


@pytest.mark.parametrize("index", range(9))
def test_every_edit_apply_then_revert_restores_exactly(index):
    document = full_document()
    before = document.snapshot()
    edit = _edits_for(document)[index]
    edit.apply(document)
    assert document.snapshot() != before
    assert edit.label
    edit.revert(document)
    assert document.snapshot() == before
    edit.apply(document)  # redo after undo works too
    edit.revert(document)
    assert document.snapshot() == before


def test_edit_out_of_step_is_refused_and_compound_rolls_back():
    document = full_document()
    first = document.annotations[0]
    ReplaceAnnotation(first, first.moved(1, 1)).apply(document)
    with pytest.raises(DocumentError):
        ReplaceAnnotation(first, first.moved(2, 2)).apply(document)
    before = document.snapshot()
    pen = Pen(points=((0, 0),))
    with pytest.raises(DocumentError):
        Compound([AddAnnotation(pen), RemoveAnnotation(first)], "Broken").apply(document)
    assert document.snapshot() == before


def test_replace_must_keep_the_id():
    with pytest.raises(DocumentError):
        ReplaceAnnotation(Rectangle(rect=Rect(0, 0, 1, 1)), Redaction(rect=Rect(0, 0, 1, 1)))
