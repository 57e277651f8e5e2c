"""The spool a large send streams into: memory up to a bound, a temporary file beyond it."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest
from starlette.requests import Request

from medsnap_endpoint.bodies import SPOOL_MEMORY_BYTES, spool_bounded
from medsnap_endpoint.errors import TooLarge

PIECE = 256 * 1024  # as the server reads a socket


def streamed(body: bytes) -> Request:
    """A request whose body arrives in pieces, with no Content-Length (a chunked upload)."""
    pieces = [body[at:at + PIECE] for at in range(0, len(body), PIECE)]

    async def receive() -> dict:
        piece = pieces.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    return Request({"type": "http", "method": "POST", "path": "/v1/messages", "headers": []},
                   receive)


def spool(body: bytes, limit: int = 50 * 1000 * 1000):
    return asyncio.run(spool_bounded(streamed(body), limit))


@pytest.mark.parametrize("size, on_disk", [(5 * 1000 * 1000, False),
                                           (SPOOL_MEMORY_BYTES + 1, True)])
def test_a_body_stays_in_memory_up_to_the_bound_and_goes_to_disk_beyond(size, on_disk):
    body = os.urandom(size)
    file, total, sha256 = spool(body)
    try:
        assert (total, sha256) == (size, hashlib.sha256(body).hexdigest())
        assert file._rolled is on_disk  # (SpooledTemporaryFile: moved to a file)
        file.seek(0)
        assert file.read() == body
    finally:
        file.close()


def test_a_streamed_body_over_the_limit_is_refused():
    with pytest.raises(TooLarge) as refused:
        spool(os.urandom(3 * PIECE), limit=2 * PIECE)
    assert refused.value.details == {"limit": 2 * PIECE}
