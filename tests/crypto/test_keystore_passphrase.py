"""Passphrase strength: weak ones are refused with a reason a clinician understands."""

from __future__ import annotations

import pytest

from medsnap.crypto.passphrase import (
    WeakPassphrase,
    check_passphrase_strength,
    normalise_passphrase,
)


@pytest.mark.parametrize(
    ("passphrase", "reason"),
    [
        ("", "empty"),
        ("            ", "empty"),
        ("Tr0ub4dor&3", "11 characters; use at least 12"),
        ("aaaaaaaaaaaaaaaa", "same few characters"),
        ("abababab1212", "same few characters"),
        ("ThisIsOneLongWord", "only one kind of character"),
        ("4829104827561038", "only one kind of character"),
        ("4829-1048-2756-1038", "no letters"),
        ("Password123456", "common password"),
        ("P@ssw0rd!2024", "common password"),
        ("qwertyuiop[]1", "common password"),
        ("L3tme1n!!2024", "common password"),
        ("correct horse battery staple", "common password"),
        ("Hospital2024!", "common password"),
        ("nurse1nurse2nurse3", "repeats the same word"),
        ("Blue7Blue7Blue7", "repeats the same word"),
        ("my id is N12345 ok", "staff id"),
        ("n12345-river-stone", "staff id"),
    ],
)
def test_weak_passphrases_are_refused_with_the_reason(passphrase, reason):
    with pytest.raises(WeakPassphrase) as refused:
        check_passphrase_strength(passphrase, staff_id="N12345")
    assert reason in refused.value.reason
    # The full message tells the clinician what happened and what to do.
    assert refused.value.message.startswith("That passphrase is too easy to guess")
    assert "choose another" in refused.value.message


@pytest.mark.parametrize(
    "passphrase",
    [
        "kettle orbit violet canoe",  # four words, letters and spaces
        "Granite7-lantern",
        "ward 7 tea trolley on wheels",
        "Zürich Föhn Éclair 9",
        "R9v!kq2Lm#x4",
    ],
)
def test_strong_passphrases_pass(passphrase):
    check_passphrase_strength(passphrase, staff_id="N12345")


def test_staff_id_is_optional():
    check_passphrase_strength("my id is N12345 ok")


def test_normalisation_makes_composed_and_decomposed_accents_equal():
    composed = "caf\u00e9 au lait 42"
    decomposed = "cafe\u0301 au lait 42"
    assert composed != decomposed
    assert normalise_passphrase(composed) == normalise_passphrase(decomposed)
