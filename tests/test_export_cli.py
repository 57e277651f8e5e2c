"""`medsnap export` end to end: upright output, redaction identity, clean bytes, exit codes.

Runs the real command in-process (medsnap.cli.main) and as a subprocess (python -m medsnap).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw

from medsnap.cli import main
from medsnap.document import Arrow, Document, Style, document_to_json
from tests.imaging.fixtures import (
    QUADRANTS, jpeg_with_orientation, png_claiming, sample_picture, tiff_with_everything,
)

pytestmark = pytest.mark.usefixtures("qapp")  # see tests/test_render.py


def run_cli(*args) -> int:
    return main(["export", *map(str, args)])


def close(actual, expected, tolerance=24):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def quadrant_colours(image: Image.Image):
    w, h = image.size
    return [image.getpixel(p) for p in ((w // 4, h // 4), (3 * w // 4, h // 4),
                                        (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_exports_upright(tmp_path, orientation):
    source = tmp_path / f"o{orientation}.jpg"
    jpeg_with_orientation(orientation, source)
    out = tmp_path / "out.png"
    assert run_cli(source, "-o", out) == 0
    with Image.open(out) as image:
        assert image.size == (96, 64)
        for got, want in zip(quadrant_colours(image.convert("RGB")), QUADRANTS):
            assert close(got, want), (orientation, got, want)


@pytest.mark.parametrize("orientation", [6, 7])
def test_crop_and_redact_are_in_upright_coordinates(tmp_path, orientation):
    source = tmp_path / "turned.jpg"
    jpeg_with_orientation(orientation, source)
    out = tmp_path / "out.png"
    # the upright top-right quadrant is green; black out its left half
    assert run_cli(source, "-o", out, "--crop", "48,0,48,32", "--redact", "48,0,24,32") == 0
    with Image.open(out) as image:
        assert image.size == (48, 32)
        assert image.getpixel((10, 16)) == (0, 0, 0)
        assert close(image.getpixel((36, 16)), QUADRANTS[1])


def _pair_differing_inside(box, tmp_path):
    """Two detailed PNGs, identical except for the pixels inside box (x0, y0, x1, y1)."""
    base = sample_picture(160, 120)
    ImageDraw.Draw(base).text((5, 90), "Patient: J. Smith 1970", fill=(0, 0, 0))
    other = base.copy()
    secret = Image.new("RGB", (box[2] - box[0] + 1, box[3] - box[1] + 1), (255, 255, 255))
    ImageDraw.Draw(secret).text((2, 2), "NHS 943 476 5919", fill=(9, 9, 9))
    other.paste(secret, box[:2])  # the pasted patch is clipped to the box
    paths = []
    for name, image in (("a.png", base), ("b.png", other)):
        image.save(tmp_path / name)
        paths.append(tmp_path / name)
    return paths


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_inputs_differing_only_inside_a_redaction_export_identically(tmp_path, suffix):
    x, y, w, h = 37, 21, 61, 27  # not aligned to JPEG blocks on purpose
    first, second = _pair_differing_inside((x, y, x + w - 1, y + h - 1), tmp_path)
    outputs = []
    for index, source in enumerate((first, second)):
        out = tmp_path / f"redacted{index}{suffix}"
        assert run_cli(source, "-o", out, "--redact", f"{x},{y},{w},{h}") == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    plain = []  # and without the redaction they do differ: the test can fail
    for index, source in enumerate((first, second)):
        out = tmp_path / f"plain{index}{suffix}"
        assert run_cli(source, "-o", out) == 0
        plain.append(out.read_bytes())
    assert plain[0] != plain[1]


def test_subprocess_export_with_annotations_crop_and_quality(tmp_path):
    source = tmp_path / "in.jpg"
    jpeg_with_orientation(6, source)
    arrow = Arrow(start=(10, 10), end=(60, 10), style=Style(colour="#0000FF", width=6))
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(document_to_json(Document(size=(96, 64), annotations=[arrow]))))
    out = tmp_path / "out.jpg"
    result = subprocess.run(
        [sys.executable, "-m", "medsnap", "export", str(source), "-o", str(out),
         "--annotations", str(draft), "--crop", "0,0,80,40", "--quality", "80"],
        capture_output=True, text=True, timeout=60,
        env={key: value for key, value in os.environ.items()  # headless, no platform set
             if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")})
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xff\xd8")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (80, 40)
        assert close(image.getpixel((30, 10)), (0, 0, 255), 40)


def test_page_selects_a_tiff_page(tmp_path):
    source = tmp_path / "pages.tif"
    tiff_with_everything(source, pages=2)
    for page, top_left in ((1, QUADRANTS[0]), (2, (255, 255, 255))):
        out = tmp_path / f"page{page}.png"
        assert run_cli(source, "-o", out, "--page", page) == 0
        with Image.open(out) as image:
            assert close(image.convert("RGB").getpixel((10, 0)), top_left)


def test_format_follows_the_suffix_or_the_flag(tmp_path):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    for name, flag, magic in (("a.jpg", [], b"\xff\xd8"), ("a.JPEG", [], b"\xff\xd8"),
                              ("a.png", [], b"\x89PNG"), ("b.jpeg", ["--format", "jpeg"],
                                                          b"\xff\xd8")):
        assert run_cli(source, "-o", tmp_path / name, *flag) == 0
        assert (tmp_path / name).read_bytes().startswith(magic)


def test_the_output_never_replaces_the_input_nor_a_file_unless_forced(tmp_path, capsys):
    source = tmp_path / "a.png"
    sample_picture().save(source)
    original = source.read_bytes()
    for flags in ([], ["--force"]):  # not even with --force
        assert run_cli(source, "-o", source, *flags) == 2
        assert "is the input file itself" in capsys.readouterr().err
    assert run_cli(source, "-o", tmp_path / "." / "a.png", "--force") == 2  # same file, other name
    assert source.read_bytes() == original
    existing = tmp_path / "b.png"
    existing.write_bytes(b"keep me")
    assert run_cli(source, "-o", existing) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    assert run_cli(source, "-o", existing, "--force") == 0
    assert existing.read_bytes().startswith(b"\x89PNG")


def test_a_missing_or_broken_drawing_is_said_in_plain_words(tmp_path, capsys):
    source = tmp_path / "a.png"
    sample_picture().save(source)
    assert run_cli(source, "-o", tmp_path / "b.png", "--annotations", tmp_path / "nope.json") \
        == 3
    err = capsys.readouterr().err
    assert "There is no drawing" in err and "Errno" not in err
    (tmp_path / "half.json").write_text('{"version": 1, "annot')
    assert run_cli(source, "-o", tmp_path / "b.png", "--annotations", tmp_path / "half.json") \
        == 3
    assert "not a MedSnap drawing" in capsys.readouterr().err
    assert not (tmp_path / "b.png").exists()


def test_a_name_for_a_format_medsnap_does_not_write_is_refused(tmp_path, capsys):
    source = tmp_path / "a.png"
    sample_picture().save(source)
    for name in ("x.webp", "x.GIF", "x.tiff"):
        assert run_cli(source, "-o", tmp_path / name) == 2
        assert "name the file 'x.png' (or 'x.jpg' for a JPEG)" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_a_name_without_png_or_jpeg_is_refused_with_the_names_accepted(tmp_path, capsys):
    """The name must say what the bytes are (README): no automatic choice behind '.out'."""
    drawing = tmp_path / "drawing.png"
    sample_picture(200, 150).save(drawing)
    assert run_cli(drawing, "-o", tmp_path / "d.out") == 2
    assert "'d.png' (or 'd.jpg' for a JPEG)" in capsys.readouterr().err
    assert run_cli(drawing, "-o", tmp_path / "d.out", "--format", "png") == 2
    assert "name the file 'd.png'" in capsys.readouterr().err
    assert not (tmp_path / "d.out").exists()


def _only(folder, *names):
    return sorted(p.name for p in folder.iterdir()) == sorted(names)


@pytest.mark.parametrize("args,fragment", [
    (["--crop", "0,0,97,10"], "outside the picture"),
    (["--crop", "90,60,10,10"], "outside the picture"),
    (["--redact", "0,0,10,65"], "outside the picture"),
    # given relative to the crop by mistake: it would black out nothing, so refused
    (["--crop", "50,30,40,30", "--redact", "0,0,20,10"], "wholly outside --crop"),
    (["--format", "jpeg"], "says PNG"),
])
def test_arguments_wrong_for_this_picture_are_usage_errors(tmp_path, capsys, args, fragment):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    assert run_cli(source, "-o", tmp_path / "out.png", *args) == 2
    error = capsys.readouterr().err
    assert fragment in error and "Traceback" not in error
    assert _only(tmp_path, "in.png")


@pytest.mark.parametrize("args", [["--crop", "1,2,3"], ["--crop", "a,b,c,d"],
                                  ["--redact", "0,0,0,5"], ["--redact", "-1,0,5,5"],
                                  ["--quality", "0"], ["--quality", "x"], ["--page", "0"],
                                  ["--format", "gif"]])
def test_bad_numbers_exit_2_with_a_plain_message(tmp_path, capsys, args):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    with pytest.raises(SystemExit) as exit_:
        run_cli(source, "-o", tmp_path / "out.png", *args)
    assert exit_.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert _only(tmp_path, "in.png")


def _bad_inputs(tmp_path):
    good = io.BytesIO()
    sample_picture(300, 200).save(good, "JPEG", quality=90)
    yield "corrupt.jpg", b"\xff\xd8\xff\xe0" + os.urandom(3000)
    yield "truncated.jpg", good.getvalue()[: len(good.getvalue()) // 2]
    yield "empty.png", b""
    yield "letter.png", b"Dear colleague, this is not an image.\n" * 20
    yield "bomb.png", png_claiming(40_000, 40_000)
    yield "huge.png", png_claiming(2**31 - 1, 2**31 - 1)


@pytest.mark.parametrize("index", range(6))
def test_bad_input_is_a_typed_error_exit_3_and_nothing_is_written(tmp_path, capsys, index):
    name, data = list(_bad_inputs(tmp_path))[index]
    (tmp_path / name).write_bytes(data)
    assert run_cli(tmp_path / name, "-o", tmp_path / "out.png") == 3
    error = capsys.readouterr().err
    assert error.startswith("medsnap export: ") and "Traceback" not in error
    assert _only(tmp_path, name)


def test_bad_input_through_the_real_process(tmp_path):
    (tmp_path / "scan.jpg").write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "medsnap", "export", str(tmp_path / "scan.jpg"),
                             "-o", str(tmp_path / "out.jpg")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 3
    assert "empty" in result.stderr and "Traceback" not in result.stderr
    assert _only(tmp_path, "scan.jpg")


def test_a_missing_output_folder_is_exit_5_and_creates_nothing(tmp_path, capsys):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    assert run_cli(source, "-o", tmp_path / "no" / "such" / "out.png") == 5
    assert "does not exist" in capsys.readouterr().err
    assert _only(tmp_path, "in.png")


def test_an_output_folder_that_is_a_file_is_exit_5(tmp_path):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    assert run_cli(source, "-o", tmp_path / "in.png" / "out.png") == 5
    assert _only(tmp_path, "in.png")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_an_output_folder_nobody_may_write_is_exit_5(tmp_path, capsys):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    assert run_cli(source, "-o", "/proc/self/medsnap-out.png") == 5  # refused even to root
    assert "Nothing was written" in capsys.readouterr().err
    assert not os.path.exists("/proc/self/medsnap-out.png")


def test_the_content_decides_not_the_name(tmp_path):
    source = tmp_path / "actually-a-png.jpg"
    sample_picture().save(source, "PNG")
    assert run_cli(source, "-o", tmp_path / "out.png") == 0
    with Image.open(tmp_path / "out.png") as image:
        assert close(image.getpixel((10, 10)), QUADRANTS[0], 0)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_exit_5_and_leaves_nothing(tmp_path):
    source = tmp_path / "in.png"
    sample_picture().save(source)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert run_cli(source, "-o", locked / "out.png") == 5
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
