"""Is a passphrase strong enough to wrap a clinician's keys? Reasons in plain words.

The wrapped key file may be copied off a workstation (the keyring is shared by everyone
using one OS login), so the passphrase is the only thing standing between a copy of it and
the clinician's identity. scrypt (logN 18) slows guessing; these rules stop the guesses
that come first in every list.
"""

from __future__ import annotations

import re
import unicodedata

from medsnap.errors import CryptoError

MIN_CHARACTERS = 12
MIN_WORDS = 4
MIN_DISTINCT_CHARACTERS = 5

# Lower-case cores of passwords that lead every leaked-password list, keyboard walks,
# and words any attacker of a hospital would try first. A passphrase is refused when,
# after dropping digits, spaces and symbols, what is left is one of these (or repeats one).
COMMON_CORES = frozenset(
    """
    password passw0rd passwort motdepasse contrasena letmein welcome welcomeback admin
    administrator root user guest login changeme default secret trustno iloveyou loveyou
    monkey dragon master shadow sunshine princess football baseball soccer superman batman
    qwerty qwertyuiop qwertyuiopasdfghjkl asdfgh asdfghjkl zxcvbnm qazwsx qwertz azerty
    abc abcdef abcdefgh abcdefghijkl abcdefghijklmnopqrstuvwxyz
    hospital nhs nurse doctor clinician ward theatre patient medical health healthcare
    medsnap snapchat whatsapp summer winter spring autumn monday friday january december
    correcthorsebatterystaple thequickbrownfoxjumpsoverthelazydog
    """.split()
)


class WeakPassphrase(CryptoError):
    """The passphrase was refused; ``reason`` says why in words a clinician understands."""

    def __init__(self, reason: str):
        super().__init__(
            f"That passphrase is too easy to guess: {reason} Your keys were not changed. "
            "Please choose another one."
        )
        self.reason = reason


def normalise_passphrase(passphrase: str) -> str:
    """NFC form, so the same typed passphrase matches on every keyboard and OS."""
    return unicodedata.normalize("NFC", passphrase)


def check_passphrase_strength(passphrase: str, staff_id: str | None = None) -> None:
    """Return quietly when strong enough, else raise :class:`WeakPassphrase` with the reason.

    Rules: at least 12 characters; unless it is four or more words, it mixes at least two
    kinds of character (letters, digits, symbols or spaces); at least 5 different
    characters; not built on a common password; does not contain the staff id.
    """
    passphrase = normalise_passphrase(passphrase)
    if not passphrase.strip():
        raise WeakPassphrase("it is empty.")
    if len(passphrase) < MIN_CHARACTERS:
        raise WeakPassphrase(
            f"it has {len(passphrase)} characters; use at least {MIN_CHARACTERS}, "
            f"for example {MIN_WORDS} or more unrelated words."
        )
    if len(set(passphrase.casefold())) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassphrase("it repeats the same few characters.")
    words = [word for word in re.split(r"[\s\-_.,;:+/]+", passphrase) if len(word) >= 2]
    if len(words) < MIN_WORDS and _character_kinds(passphrase) < 2:
        raise WeakPassphrase(
            "it uses only one kind of character; mix letters with digits or symbols, "
            f"or use {MIN_WORDS} or more words."
        )
    if staff_id and staff_id.strip() and staff_id.strip().casefold() in passphrase.casefold():
        raise WeakPassphrase("it contains your staff id.")
    core = "".join(character for character in passphrase.casefold() if character.isalpha())
    if not core:
        raise WeakPassphrase("it has no letters; add a few words.")
    if any(candidate in COMMON_CORES for candidate in _cores_read_as_letters(passphrase)):
        raise WeakPassphrase("it is built on a common password that attackers try first.")
    if _is_one_part_repeated(core):
        raise WeakPassphrase("it repeats the same word or pattern.")


# Digits and symbols people put in place of letters ("P@ssw0rd").
_AS_LETTERS = {"0": "o", "@": "a", "4": "a", "3": "e", "5": "s", "$": "s", "7": "t", "!": "i"}


def _cores_read_as_letters(passphrase: str) -> set[str]:
    """The letters alone, and again with look-alike digits and symbols read as letters."""
    folded = passphrase.casefold()
    cores = {"".join(c for c in folded if c.isalpha())}
    # Drop the decoration around the word ("!2024") before reading the look-alikes inside.
    middle = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", folded)
    for one in ("i", "l"):
        swapped = "".join(_AS_LETTERS.get(c, one if c == "1" else c) for c in middle)
        cores.add("".join(c for c in swapped if c.isalpha()))
    return cores


def _character_kinds(passphrase: str) -> int:
    has_letter = any(character.isalpha() for character in passphrase)
    has_digit = any(character.isdigit() for character in passphrase)
    has_other = any(not character.isalnum() for character in passphrase)
    return has_letter + has_digit + has_other


def _is_one_part_repeated(core: str) -> bool:
    """True when the letters are one part said over and over ("abcabcabc", "nursenurse")."""
    for length in range(1, len(core) // 2 + 1):
        if len(core) % length == 0 and core[:length] * (len(core) // length) == core:
            return True
    return False
