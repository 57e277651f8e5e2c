"""What a clinician reads when a picture will not open (NU5): no decoder figures that mislead,
the formats MedSnap really opens, and an ordinary very large phone photo not called hostile."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging import load_picture


def _jpeg(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_cut_short_photo_says_so_without_the_decoders_byte_count(tmp_path):
    whole = _jpeg()
    path = tmp_path / "wound.jpg"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImageError) as raised:
        load_picture(path)
    message = raised.value.message
    assert "incomplete" in message and "cut short" in message
    assert "bytes not processed" not in message and "details" not in message


def test_not_a_picture_names_every_kind_medsnap_opens(tmp_path):
    path = tmp_path / "letter.jpg"
    path.write_bytes(b"%!PS-Adobe-3.0\n" + b"x" * 200)
    with pytest.raises(ImageError) as raised:
        load_picture(path)
    assert "PDF letter" in raised.value.message and "DICOM" in raised.value.message


def test_a_photo_over_the_limit_is_told_how_to_take_it_not_called_hostile(tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(_jpeg((1200, 900)))
    with pytest.raises(ImageError) as raised:
        load_picture(path, max_pixels=1_000_000)
    message = raised.value.message
    assert "big.jpg' is 1200 x 900 (1.1 megapixels), more than the 1.0 megapixels" in message
    assert "camera's normal resolution" in message and "max_megapixels" in message
