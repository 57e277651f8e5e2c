"""The one-look DICOM read on two threads (dicom_strips): each half of the rows read and
windowed by its own thread gives pydicom's grey for every case, whatever the split; a
failure met by the second thread is raised in the caller's, as the same typed error."""

from __future__ import annotations

import numpy as np
import pytest

from medsnap.errors import ImageError
from medsnap.imaging import dicom_strips, load_picture
from medsnap.imaging.dicom_native import NativeFrames
from tests.imaging.test_dicom_direct import CASES, case, expected


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(dicom_strips, "SPLIT_SAMPLES", 0)  # the test frames are small
    monkeypatch.setattr(dicom_strips, "_cores", lambda: 2)


@pytest.mark.parametrize("name", CASES)
def test_two_halves_equal_pydicom(name, tmp_path, two_threads):
    path = tmp_path / "IM0001"
    path.write_bytes(case(name))
    _stored, grey, _range = expected(path.read_bytes(), window=(100.0, 700.0))
    picture = load_picture(path, window=(100.0, 700.0))
    assert np.array_equal(np.asarray(picture.image), grey)


def test_a_failure_in_the_second_half_is_the_callers(tmp_path, two_threads, monkeypatch):
    path = tmp_path / "IM0001"
    path.write_bytes(case(CASES[0]))
    real = NativeFrames.strips

    def cut_short(self, frame, rows, first=0, stop=None):
        if first > 0:  # the helper thread's half
            raise EOFError("pixel data ends early")
        return real(self, frame, rows, first, stop)

    monkeypatch.setattr(NativeFrames, "strips", cut_short)
    with pytest.raises(ImageError, match="damaged or incomplete pixel data"):
        load_picture(path, window=(100.0, 700.0))
