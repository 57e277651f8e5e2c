"""An answer's status and header block, read strictly, for :mod:`medsnap_endpoint.http_pool`.

``http.client`` parses response headers with ``email.parser`` (about a quarter of the client's
CPU per request, profiled); :class:`Response` splits each ``Name: value`` line itself and stores
it in the same :class:`http.client.HTTPMessage`, so ``headers.get`` and the rest behave as before.

Where ``email.parser`` and a reader of its own could frame an answer differently, the answer is
refused instead (:class:`MalformedAnswer`, an ``http.client.HTTPException``: the pool closes that
connection and reports the exchange as dropped). On a kept-alive connection, a proxy that read
the headers one way and this client another would disagree on where an answer ends, and part of
one answer would be read as the next one (RFC 9112 sections 5, 6.1 and 6.3). Refused:

* a field name that is not an RFC 9110 token (empty, with whitespace before the colon, ...), a
  line without a colon, a folded (obs-fold) line before any field, a value with CR or NUL;
* Transfer-Encoding together with Content-Length, a transfer coding other than ``chunked``
  alone, Transfer-Encoding in an HTTP/1.0 answer;
* a Content-Length that is not digits, or repeated with different values;
* a header block cut short by the end of the connection, and 101 Switching Protocols (the
  client never asks to switch).

A folded line after a field joins its value with a space, as RFC 9112 section 5.2 asks. Interim
answers (100 Continue, 103 Early Hints) are read and skipped. The strict checks cost a few
microseconds per answer.
"""

from __future__ import annotations

import http.client
import re
from typing import BinaryIO

MAX_HEADER_LINE = 65536  # the bounds http.client sets
MAX_HEADERS = 100
_MAX_LENGTH_DIGITS = 18  # 1 EB; longer is no real body (and int() refuses > 4300 digits)

# RFC 9110 5.1 and 5.5: token ":" OWS field-value OWS, a value without CR, LF or NUL (greedy
# and stripped after: no backtracking over long runs of spaces)
_FIELD_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):([^\r\n\x00]*)\r?\n")
_FOLDED_LINE = re.compile(rb"[ \t]([^\r\n\x00]*)\r?\n")
_DIGITS = re.compile(r"[0-9]+")


class MalformedAnswer(http.client.HTTPException):
    """An answer whose framing could be read two ways: refused, its connection not reused."""


class Response(http.client.HTTPResponse):
    """``http.client``'s response, its status and headers read and framed as described above."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()  # type: ignore[attr-defined]
            if status == http.client.SWITCHING_PROTOCOLS:
                raise MalformedAnswer("101 Switching Protocols, never asked for")
            if not 100 <= status < 200:
                break
            parse_header_block(read_header_lines(self.fp))  # an interim answer: skipped
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        message, encodings, lengths = parse_header_block(read_header_lines(self.fp))
        self.headers = self.msg = message
        self.chunked, self.length = body_framing(encodings, lengths, self.version)
        self.chunk_left = None
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) \
                or self._method == "HEAD":  # type: ignore[attr-defined]
            self.chunked, self.length = False, 0  # no body, whatever the headers say
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True  # the body ends when the connection does


def read_header_lines(fp: BinaryIO) -> list[bytes]:
    """The header block's lines, without the empty line that ends it; bounded."""
    lines = []
    while True:
        line = fp.readline(MAX_HEADER_LINE + 1)
        if len(line) > MAX_HEADER_LINE:
            raise http.client.LineTooLong("header line")
        if line in (b"\r\n", b"\n"):
            return lines
        if not line.endswith(b"\n"):
            raise MalformedAnswer("the connection ended inside the answer's headers")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")


def parse_header_block(
        lines: list[bytes]) -> tuple[http.client.HTTPMessage, list[str], list[str]]:
    """The fields as a message, with the Transfer-Encoding and Content-Length values apart."""
    fields: list[tuple[str, str]] = []
    for line in lines:
        field = _FIELD_LINE.fullmatch(line)
        if field is not None:
            fields.append((field[1].decode("ascii"),
                           field[2].strip(b" \t").decode("iso-8859-1")))
            continue
        folded = _FOLDED_LINE.fullmatch(line)
        if folded is None or not fields:
            raise MalformedAnswer(f"a header line that is not 'Name: value': {line[:80]!r}")
        more = folded[1].strip(b" \t")
        if more:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {more.decode('iso-8859-1')}")
    message = http.client.HTTPMessage()
    encodings, lengths = [], []
    for name, value in fields:
        message[name] = value
        lowered = name.lower()
        if lowered == "transfer-encoding":
            encodings.append(value)
        elif lowered == "content-length":
            lengths.append(value)
    return message, encodings, lengths


def body_framing(encodings: list[str], lengths: list[str],
                 version: int) -> tuple[bool, int | None]:
    """(chunked, length) from the fields' values; ``length`` None: up to the connection's end."""
    if encodings:
        if lengths:
            raise MalformedAnswer("both Transfer-Encoding and Content-Length")
        if version == 10:
            raise MalformedAnswer("Transfer-Encoding in an HTTP/1.0 answer")
        codings = [coding.strip(" \t").lower() for value in encodings
                   for coding in value.split(",")]
        if codings != ["chunked"]:
            raise MalformedAnswer(f"a transfer coding other than chunked: {encodings!r}")
        return True, None
    if not lengths:
        return False, None
    values = {value.strip(" \t") for joined in lengths for value in joined.split(",")}
    if len(values) != 1:
        raise MalformedAnswer(f"Content-Length values that differ: {lengths!r}")
    [value] = values
    if not _DIGITS.fullmatch(value) or len(value) > _MAX_LENGTH_DIGITS:
        raise MalformedAnswer(f"a Content-Length that is not a length: {value[:40]!r}")
    return False, int(value)
