"""Build a letter's archive and encrypt it in one pass from the caller's image.

The image is hashed on a second thread (hashlib releases the GIL) while the chunks that do not
depend on the hash (everything after the manifest member) are already encrypted; the manifest
is signed once the hash is known and the first chunks are encrypted last. The signed manifest
always has the length of one signed over a placeholder hash (hex digest and Ed25519 signature
have fixed sizes); should it ever differ, the letter is encrypted again from scratch with a
fresh file key, so no chunk is ever encrypted twice under one key.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence

from medsnap.crypto.age.api import BufferEncryption, Recipient, encrypt_from
from medsnap.crypto.archive import BLOCK, ArchiveLayout
from medsnap.crypto.letter_parts import MANIFEST_MEMBER, NOTE_MEMBER

OVERLAP_FROM = 4 << 20  # smaller images are hashed first: a thread would cost more than it saves


class _Digest(threading.Thread):
    def __init__(self, data: bytes):
        super().__init__(name="image-sha256", daemon=True)
        self._data, self.hexdigest = data, ""

    def run(self) -> None:
        self.hexdigest = hashlib.sha256(self._data).hexdigest()


def seal_archive(image_member: tuple[str, bytes], note: bytes,
                 sign_manifest: Callable[[str], bytes], manifest_length: int,
                 recipients: Sequence[Recipient]) -> bytes:
    """The age file of the archive (signed manifest, image, note) for ``recipients``.

    ``sign_manifest(image_sha256)`` returns the signed manifest; ``manifest_length`` is the
    length it will have (of one signed over any other hash).
    """
    name, image = image_member

    def members(token: bytes) -> list[tuple[str, bytes]]:
        return [(MANIFEST_MEMBER, token), (name, image), (NOTE_MEMBER, note)]

    if len(image) < OVERLAP_FROM:
        layout = ArchiveLayout(members(sign_manifest(hashlib.sha256(image).hexdigest())))
        return encrypt_from(layout, layout.size, recipients)
    digest = _Digest(image)
    digest.start()
    try:
        speculative = ArchiveLayout(members(bytes(manifest_length)))
        encryption = BufferEncryption(speculative.size, recipients)
        assert encryption.sealer is not None
        later = encryption.sealer.chunks_from(BLOCK + manifest_length
                                              + (-manifest_length % BLOCK))
        encryption.seal(speculative, later)
    finally:
        digest.join()
    token = sign_manifest(digest.hexdigest)
    if len(token) != manifest_length:
        del encryption  # its chunks are discarded; the buffer goes before the new one comes
        layout = ArchiveLayout(members(token))
        return encrypt_from(layout, layout.size, recipients)
    encryption.seal(ArchiveLayout(members(token)), range(later.start))
    return encryption.result()
