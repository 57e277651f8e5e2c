"""Write 8-bit grey, RGB or RGBA pixels as a PNG of exactly three chunk kinds: IHDR, IDAT, IEND.

Why not Pillow's PNG encoder: it picks a filter for every row by computing four of them
(libpng's heuristic) and feeds zlib one row at a time, which costs ~100 ms per 5 MB of pixels
before any compression; at its level 6, deflate then runs at 5-25 MB/s on photographs and
scans. Here one filter is chosen for the whole picture from sampled rows, the filtering runs
as Pillow channel operations over bands of rows, and deflate runs at level 1 - or stores
the rows unfiltered when sampled rows show deflate would save under a tenth (noise: deflating
5 MB costs ~80 ms to save nothing, and filtering it ~8 ms more). On real screenshots and
photographs the output is 1.5-17 % larger than Pillow's level 6 for 4-10x less time
(benchmarks/png_encode_choice.py).

Lossless by construction: every filter is one of PNG's own and is undone by any decoder,
and tests compare the decoded pixels. Deterministic: the same pixels give the same bytes.
"""

from __future__ import annotations

import struct
import zlib

from PIL import Image, ImageChops

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {"L": (0, 1), "RGB": (2, 3), "RGBA": (6, 4)}  # mode -> (colour type, bytes)
NONE, SUB, UP, AVERAGE = 0, 1, 2, 3  # PNG filter types (Paeth is left out: no channel op)
_BAND_BYTES = 1 << 20     # filter and deflate about 1 MB of rows at a time (bounded memory)
_SAMPLE_BANDS = 8         # spread over the picture when choosing the filter and the level
_SAMPLE_ROWS = 8
_STORE_ABOVE = 0.9        # sampled deflate output above this share of its input: store
_CLEAR_STORE = 0.97       # after two sampled bands: clearly noise, stored
_CLEAR_SAVING = 0.75      # after two sampled bands: clearly worth deflating
_IDAT_BYTES = 1 << 20


def _chunk(kind: bytes, body: bytes | memoryview) -> tuple[bytes | memoryview, ...]:
    """One chunk's four parts, joined once with the whole file (no copy per chunk)."""
    return (struct.pack(">I", len(body)), kind, body,
            struct.pack(">I", zlib.crc32(body, zlib.crc32(kind))))


def _shifted(band: Image.Image, dx: int, dy: int) -> Image.Image:
    """``band`` moved right by dx or down by dy pixels, zeros coming in (PNG's "outside")."""
    moved = Image.new(band.mode, band.size)
    if band.width > dx and band.height > dy:
        moved.paste(band.crop((0, 0, band.width - dx, band.height - dy)), (dx, dy))
    return moved


def _raw_encoder(mode: str, stride: int):
    return Image.core.raw_encoder(mode, mode, stride)


def raw_rows(image: Image.Image, top: int, bottom: int, stride: int) -> bytes:
    """Rows top..bottom-1 as bytes, each followed by zeros up to ``stride`` bytes.

    One call of Pillow's raw encoder writes them all: ``tobytes`` encodes 64 KiB at a time and
    joins the pieces (two copies; ~8 ms per 5 MB against ~0.7 ms). The encoder is Pillow's
    internal object, so a Pillow without it (or that refuses) gets the public way instead.
    """
    size = (bottom - top) * stride
    try:
        encoder = _raw_encoder(image.mode, stride)
        encoder.setimage(image.im, (0, top, image.width, bottom))
        _, status, data = encoder.encode(size)
        if status == 1 and len(data) == size:  # 1: every row written
            return data
    except (AttributeError, TypeError, ValueError):
        pass
    return image.crop((0, top, image.width, bottom)).tobytes("raw", image.mode, stride)


def _filtered_rows(image: Image.Image, top: int, bottom: int, kind: int) -> bytes:
    """Rows top..bottom-1 filtered with ``kind``, each row prefixed by its filter byte."""
    width = image.width
    band = image.crop((0, top, width, bottom))
    if kind != NONE:
        if kind in (UP, AVERAGE):  # the row above the band is the first row's "prior"
            above = image.crop((0, top - 1, width, bottom - 1)) if top else _shifted(band, 0, 1)
        if kind in (SUB, AVERAGE):
            left = _shifted(band, 1, 0)
        if kind == SUB:
            predicted = left
        elif kind == UP:
            predicted = above
        else:  # floor((left + above) / 2), as PNG's Average filter defines it
            predicted = ImageChops.add(left, above, scale=2.0)
        band = ImageChops.subtract_modulo(band, predicted)
    stride = width * _COLOUR_TYPES[image.mode][1]
    data = memoryview(raw_rows(band, 0, band.height, stride))
    tag = bytes((kind,))
    parts: list[bytes | memoryview] = []
    for start in range(0, len(data), stride):
        parts += (tag, data[start:start + stride])
    return b"".join(parts)


def _unfiltered_rows(image: Image.Image, top: int, bottom: int) -> bytes:
    """Rows top..bottom-1 each FOLLOWED by a zero byte (filter type None): the stream of the
    whole picture is one zero byte, then every band's rows, less the very last byte."""
    return raw_rows(image, top, bottom, image.width * _COLOUR_TYPES[image.mode][1] + 1)


def _sample_bands(height: int) -> list[tuple[int, int]]:
    if height <= _SAMPLE_BANDS * _SAMPLE_ROWS:
        return [(0, height)]
    step = (height - _SAMPLE_ROWS) // (_SAMPLE_BANDS - 1)
    return [(i * step, i * step + _SAMPLE_ROWS) for i in range(_SAMPLE_BANDS)]


def _cost(rows: bytes) -> int:
    """libpng's filter heuristic: the sum of the bytes read as signed values, absolute."""
    counts = Image.frombytes("L", (len(rows), 1), rows).histogram()
    return sum(count * min(value, 256 - value) for value, count in enumerate(counts))


def _deflate_saves_enough(bands: list[bytes]) -> bool:
    """Whether deflate (level 1) saves more than a tenth of these sampled rows.

    Asked of two bands far apart first, then of more: noise (deflate saves nothing) and most
    pictures (it saves far more) are clear after two, which costs a quarter of deflating
    them all (~3 ms less for 5 MB of noise)."""
    order = bands[::2] + bands[1::2]  # top, middle... first: spread over the picture
    taken = made = 0
    for count, rows in enumerate(order, start=1):
        taken, made = taken + len(rows), made + len(zlib.compress(rows, 1))
        if count >= 2 and not _CLEAR_SAVING < made / taken < _CLEAR_STORE:
            break
    return made <= _STORE_ABOVE * taken


def choose_filter_and_level(image: Image.Image) -> tuple[int, int]:
    """(filter type, zlib level) for ``image`` from a few sampled bands of rows."""
    bands = _sample_bands(image.height)
    samples = {kind: [_filtered_rows(image, top, bottom, kind) for top, bottom in bands]
               for kind in (NONE, SUB, UP, AVERAGE)}
    kind = min(samples, key=lambda k: (_cost(b"".join(samples[k])), k))
    if not _deflate_saves_enough(samples[kind]):
        return NONE, 0  # stored: a filter only helps deflate, so the rows go as they are
    return kind, 1


def _idat_chunks(pieces: list[bytes]) -> list[bytes | memoryview]:
    """The compressed stream's IDAT chunks (_IDAT_BYTES each, the last shorter) as parts of
    the file: a chunk that spans two pieces is written from both, never joined first."""
    parts: list[bytes | memoryview] = []
    segments: list[memoryview] = []
    size, crc = 0, zlib.crc32(b"IDAT")
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        view = memoryview(piece)
        while view:
            taken = view[:_IDAT_BYTES - size]
            view = view[len(taken):]
            segments.append(taken)
            size, crc = size + len(taken), zlib.crc32(taken, crc)
            if size == _IDAT_BYTES or (not view and index == last):
                parts += [struct.pack(">I", size), b"IDAT", *segments, struct.pack(">I", crc)]
                segments, size, crc = [], 0, zlib.crc32(b"IDAT")
    return parts


def encode_png(image: Image.Image, idat_sink=None) -> bytes:
    """PNG bytes holding these pixels and nothing else (mode "L", "RGB" or "RGBA").

    ``idat_sink`` (the verifier's metadata.StreamedIdat) is handed the IHDR body, then each
    piece of the compressed stream as it is made, so that it checks them meanwhile."""
    colour, channels = _COLOUR_TYPES[image.mode]
    width, height = image.size
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    kind, level = choose_filter_and_level(image)
    rows_per_band = max(1, _BAND_BYTES // (width * channels + 1))
    deflate = zlib.compressobj(level)
    pieces: list[bytes] = []

    def compressed(rows: bytes | memoryview | None) -> None:
        piece = deflate.compress(rows) if rows is not None else deflate.flush()
        if piece:
            pieces.append(piece)
            if idat_sink is not None:
                idat_sink.feed(piece)

    if idat_sink is not None:
        idat_sink.begin(header)
    try:
        if kind == NONE:  # the first row's filter byte; each row brings the next one's
            compressed(b"\x00")
        for top in range(0, height, rows_per_band):
            bottom = min(height, top + rows_per_band)
            if kind == NONE:
                rows = _unfiltered_rows(image, top, bottom)
                compressed(rows if bottom < height else memoryview(rows)[:-1])
            else:
                compressed(_filtered_rows(image, top, bottom, kind))
        compressed(None)
    finally:
        if idat_sink is not None:
            idat_sink.end()
    return b"".join([SIGNATURE, *_chunk(b"IHDR", header), *_idat_chunks(pieces),
                     *_chunk(b"IEND", b"")])
