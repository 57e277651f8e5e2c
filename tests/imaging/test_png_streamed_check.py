"""The PNG image-data check run while png_writer writes (metadata/png_streamed) proves what the
after-the-fact inflate proves: data hidden in the stream, a file whose image data or header
differ from what was checked, and a writer that never reported its stream are all refused;
a clean picture passes, and ExifTool and the full verifier agree with it."""

from __future__ import annotations

import random
import shutil
import subprocess
import zlib

import pytest
from PIL import Image

from medsnap.errors import SanitizeError
from medsnap.imaging import encode_clean, encoding, find_metadata, verify_clean
from medsnap.imaging import png_writer
from medsnap.imaging.metadata import StreamedIdat
from medsnap.imaging.png_writer import SIGNATURE, encode_png


def noise(size=(700, 600)) -> Image.Image:
    return Image.frombytes("RGB", size, random.Random(3).randbytes(size[0] * size[1] * 3))


def gradient(size=(900, 700)) -> Image.Image:
    base = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", [base, base.rotate(90).resize(size), Image.effect_noise(size, 6)])


def png_with_stream(header: bytes, stream: bytes, sink: StreamedIdat | None = None,
                    fed: bytes | None = None, fed_header: bytes | None = None) -> bytes:
    """A PNG holding ``stream`` in two IDAT chunks; ``sink`` is told ``fed`` (else the same)."""
    if sink is not None:
        sink.begin(fed_header or header)
        fed = stream if fed is None else fed
        sink.feed(fed[:len(fed) // 2])
        sink.feed(fed[len(fed) // 2:])
        sink.end()
    half = len(stream) // 2
    return b"".join([SIGNATURE, *png_writer._chunk(b"IHDR", header),
                     *png_writer._chunk(b"IDAT", stream[:half]),
                     *png_writer._chunk(b"IDAT", stream[half:]),
                     *png_writer._chunk(b"IEND", b"")])


def rows(width: int, height: int) -> bytes:
    """Unfiltered black RGB scanlines."""
    return (b"\x00" + bytes(width * 3)) * height


HEADER = png_writer.struct.pack(">IIBBBBB", 40, 30, 8, 2, 0, 0, 0)
CLEAN = zlib.compress(rows(40, 30))


@pytest.mark.parametrize("picture", [noise, gradient])
def test_encode_clean_checks_while_writing_and_agrees_with_the_full_check(picture):
    data = encode_clean(picture(), "png")
    verify_clean(data)  # the after-the-fact inflate accepts the same bytes
    assert find_metadata(data) == []


def test_a_clean_stream_passes():
    sink = StreamedIdat()
    verify_clean(png_with_stream(HEADER, CLEAN, sink), streamed_idat=sink)


def test_the_file_may_cut_the_checked_stream_elsewhere():
    # pieces fed as the writer made them (one empty), IDAT chunks cut at other places
    sink = StreamedIdat()
    sink.begin(HEADER)
    for piece in (CLEAN[:5], b"", CLEAN[5:40], CLEAN[40:]):
        sink.feed(piece)
    sink.end()
    cuts = [0, 3, 5, 41, len(CLEAN)]
    data = b"".join([SIGNATURE, *png_writer._chunk(b"IHDR", HEADER),
                     *(part for start, end in zip(cuts, cuts[1:])
                       for part in png_writer._chunk(b"IDAT", CLEAN[start:end])),
                     *png_writer._chunk(b"IEND", b"")])
    verify_clean(data, streamed_idat=sink)


def test_data_after_the_compressed_stream_is_refused():
    sink = StreamedIdat()
    data = png_with_stream(HEADER, CLEAN + b"the patient's name", sink)
    with pytest.raises(SanitizeError) as refused:
        verify_clean(data, streamed_idat=sink)
    assert "after the end of the compressed image data" in refused.value.message


def test_more_rows_than_the_header_needs_are_refused():
    sink = StreamedIdat()
    data = png_with_stream(HEADER, zlib.compress(rows(40, 31)), sink)
    with pytest.raises(SanitizeError) as refused:
        verify_clean(data, streamed_idat=sink)
    assert "more bytes than the picture needs" in refused.value.message


@pytest.mark.parametrize("in_file", [CLEAN + b"hidden", CLEAN[:-3], CLEAN[:9] + CLEAN[10:]])
def test_a_file_whose_image_data_is_not_what_was_checked_is_refused(in_file):
    # the check saw a clean stream; the file holds more (hidden data), less, or other bytes
    sink = StreamedIdat()
    data = png_with_stream(HEADER, in_file, sink, fed=CLEAN)
    with pytest.raises(SanitizeError) as refused:
        verify_clean(data, streamed_idat=sink)
    assert "not the data that was checked" in refused.value.message


def test_a_file_whose_header_is_not_the_one_checked_against_is_refused():
    # sized by a taller header, the extra row would have passed as pixels
    taller = png_writer.struct.pack(">IIBBBBB", 40, 31, 8, 2, 0, 0, 0)
    sink = StreamedIdat()
    data = png_with_stream(HEADER, zlib.compress(rows(40, 31)), sink, fed_header=taller)
    with pytest.raises(SanitizeError) as refused:
        verify_clean(data, streamed_idat=sink)
    assert "header is not the one" in refused.value.message


def test_a_stream_never_reported_is_refused():
    with pytest.raises(SanitizeError) as refused:
        verify_clean(png_with_stream(HEADER, CLEAN), streamed_idat=StreamedIdat())
    assert "never checked" in refused.value.message


def test_a_writer_that_hides_data_in_its_stream_is_caught_by_encode_clean(monkeypatch):
    # fault injection: a future png_writer appends bytes after the zlib stream, reporting
    # them to the check as it must (it cannot tell what the check will make of them)
    real = zlib.compressobj

    class Leaky:
        def __init__(self, level):
            self._deflate = real(level)

        def compress(self, data):
            return self._deflate.compress(data)

        def flush(self):
            return self._deflate.flush() + b"leaked note"

    monkeypatch.setattr(png_writer.zlib, "compressobj", Leaky)
    with pytest.raises(SanitizeError) as refused:
        encode_clean(gradient((120, 90)), "png")
    assert "not written" in refused.value.message


def test_a_file_changed_after_writing_is_caught_by_encode_clean(monkeypatch):
    # fault injection: something between the writer and the verifier alters the image data
    def tampered(image, idat_sink=None):
        data = encode_png(image, idat_sink=idat_sink)
        assert data.count(b"IDAT") == 1
        at = data.index(b"IDAT") + 4
        length = int.from_bytes(data[at - 8:at - 4], "big")
        body = bytes([data[at] ^ 1]) + data[at + 1:at + length]  # with a correct CRC
        crc = zlib.crc32(body, zlib.crc32(b"IDAT")).to_bytes(4, "big")
        return data[:at] + body + crc + data[at + length + 4:]

    monkeypatch.setattr(encoding, "encode_png", tampered)
    with pytest.raises(SanitizeError) as refused:
        encode_clean(gradient((120, 90)), "png")
    assert "not the data that was checked" in refused.value.message


def test_exiftool_sees_only_pixels_in_a_streamed_file(tmp_path):
    data = encode_clean(gradient(), "png")
    assert shutil.which("exiftool"), "ExifTool is a required test peer"
    path = tmp_path / "clean.png"
    path.write_bytes(data)
    found = subprocess.run(["exiftool", "-s", "-G1", "-a", "-u", str(path)],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    groups = {line.split("]")[0].lstrip("[") for line in found.splitlines() if "]" in line}
    assert groups <= {"ExifTool", "System", "File", "PNG", "Composite"}, found
    names = {line.split(":")[0].split("]")[-1].strip() for line in found.splitlines()}
    assert not names & {"Text", "XMP", "ICC_Profile", "Exif", "TrailingData", "Warning"}, found
