"""Property tests: any sequence of edits undoes exactly; any document survives JSON."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from medsnap.document import (
    AddAnnotation, Arrow, Compound, Document, Ellipse, Highlighter, Line, Marker, Pen, Rect,
    Rectangle, Redaction, RedactionBrush, RemoveAnnotation, ReplaceAnnotation, Restack,
    SetCrop, Style, Text, document_from_json, document_to_json,
)

SIZE = (640, 480)
coordinate = st.floats(min_value=-50, max_value=700, allow_nan=False)
point = st.tuples(coordinate, coordinate)
points = st.lists(point, min_size=1, max_size=12).map(tuple)
colour = st.from_regex(r"#[0-9A-F]{6}([0-9A-F]{2})?", fullmatch=True)
styles = st.builds(Style, colour=colour, width=st.floats(0.5, 80),
                   fill=st.none() | colour, font_size=st.floats(4, 200))
rects = st.builds(Rect, st.floats(0, 600), st.floats(0, 400), st.floats(0, 40),
                  st.floats(0, 80))
annotations = st.one_of(
    st.builds(Arrow, start=point, end=point, style=styles),
    st.builds(Line, start=point, end=point, style=styles),
    st.builds(Rectangle, rect=rects, style=styles),
    st.builds(Ellipse, rect=rects, style=styles),
    st.builds(Pen, points=points, style=styles),
    st.builds(Highlighter, points=points, style=styles),
    st.builds(Text, text=st.text(max_size=40), position=point, style=styles,
              box_width=st.none() | st.floats(1, 500)),
    st.builds(Marker, number=st.integers(0, 9999), centre=point, style=styles),
    st.builds(Redaction, rect=rects),
    st.builds(RedactionBrush, points=points, width=st.floats(1, 60)),
)
crops = st.none() | st.builds(Rect, st.integers(0, 300), st.integers(0, 200),
                              st.integers(1, 300), st.integers(1, 200))


def make_edit(document: Document, choice: int, new, pick: int, crop, dx: float):
    stack = document.annotations
    target = stack[pick % len(stack)] if stack else None
    if choice == 0 or target is None:
        return AddAnnotation(new, index=pick % (len(stack) + 1))
    if choice == 1:
        return RemoveAnnotation(target)
    if choice == 2:
        return ReplaceAnnotation(target, target.moved(dx, -dx))
    if choice == 3:
        return ReplaceAnnotation(target, dataclasses.replace(target, style=new.style))
    if choice == 4:
        return Restack(target, pick % len(stack))
    if choice == 5:
        return SetCrop(document.crop, crop)
    return Compound([AddAnnotation(new), RemoveAnnotation(target)], "Swap")


steps = st.lists(st.tuples(st.integers(0, 6), annotations, st.integers(0, 50), crops,
                           st.floats(-20, 20)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(initial=st.lists(annotations, max_size=6), crop=crops, plan=steps)
def test_any_edit_sequence_reverts_to_every_earlier_state(initial, crop, plan):
    document = Document(size=SIZE, crop=crop, annotations=initial)
    history, done = [document.snapshot()], []
    for choice, new, pick, new_crop, dx in plan:
        edit = make_edit(document, choice, new, pick, new_crop, dx)
        edit.apply(document)
        done.append(edit)
        history.append(document.snapshot())
    final = history[-1]
    for edit in reversed(done):
        assert document.snapshot() == history.pop()
        edit.revert(document)
    assert document.snapshot() == history.pop() and not history
    for edit in done:  # and redo replays to the same final state
        edit.apply(document)
    assert document.snapshot() == final


@settings(max_examples=100, deadline=None)
@given(initial=st.lists(annotations, max_size=8), crop=crops)
def test_any_document_round_trips_through_json(initial, crop):
    document = Document(size=SIZE, crop=crop, annotations=initial)
    restored = document_from_json(json.loads(json.dumps(document_to_json(document))))
    assert restored.snapshot() == document.snapshot()
