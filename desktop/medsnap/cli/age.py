"""Encrypt or decrypt a file in the age v1 format, with the age command's own flags.

  medsnap age -e -r age1... [-r ...] [-R FILE] [-a] [-o OUT] [IN]
  medsnap age -e -p [-a] [-o OUT] [IN]
  medsnap age -d -i KEYFILE [-i ...] [-o OUT] [IN]
  medsnap age -d [-o OUT] [IN]            (passphrase-encrypted file)

Passphrases are asked for on the terminal; scripts may set MEDSNAP_PASSPHRASE instead.
Data is streamed: memory use does not grow with the file size.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from medsnap.crypto import age
from medsnap.errors import ExportError, MedSnapError

PASSPHRASE_ENV = "MEDSNAP_PASSPHRASE"


def register(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-e", "--encrypt", action="store_true", help="encrypt (the default)")
    mode.add_argument("-d", "--decrypt", action="store_true", help="decrypt")
    parser.add_argument("-r", "--recipient", action="append", default=[], metavar="RECIPIENT",
                        help="encrypt to this public key (age1...); repeatable")
    parser.add_argument("-R", "--recipients-file", action="append", default=[], metavar="PATH",
                        help="encrypt to every public key in this file; repeatable")
    parser.add_argument("-i", "--identity", action="append", default=[], metavar="PATH",
                        help="decrypt with the keys in this identity file; repeatable "
                             "(with -e: encrypt to their public keys)")
    parser.add_argument("-p", "--passphrase", action="store_true",
                        help=f"use a passphrase (asked for, or from ${PASSPHRASE_ENV})")
    parser.add_argument("-a", "--armor", action="store_true", help="write PEM-armored text")
    parser.add_argument("-o", "--output", metavar="OUTPUT", help="write here instead of stdout")
    parser.add_argument("input", nargs="?", metavar="INPUT", help="read here instead of stdin")


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise age.KeyFormatError(f"the {what} {path!r} could not be read ({error})") from None


def _passphrase(confirm: bool) -> str:
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if os.name == "posix":
        try:
            os.close(os.open("/dev/tty", os.O_RDWR))
        except OSError:
            raise age.RecipientError(
                f"a passphrase is needed but there is no terminal; set {PASSPHRASE_ENV}"
            ) from None
    first = getpass.getpass("Enter passphrase: ")
    if confirm and getpass.getpass("Confirm passphrase: ") != first:
        raise age.RecipientError("the two passphrases differ")
    if not first:
        raise age.RecipientError("the passphrase is empty")
    return first


def _recipients(args: argparse.Namespace) -> list:
    if args.passphrase:
        if args.recipient or args.recipients_file or args.identity:
            raise age.RecipientError("a passphrase cannot be combined with other recipients")
        return [age.ScryptRecipient(_passphrase(confirm=True))]
    recipients: list = [age.X25519Recipient.from_string(text) for text in args.recipient]
    for path in args.recipients_file:
        recipients += age.parse_recipients(_read_text(path, "recipients file"))
    for path in args.identity:
        recipients += [i.recipient() for i in age.parse_identities(_read_text(path, "identity file"))]
    if not recipients:
        raise age.RecipientError("give at least one -r RECIPIENT, -R FILE, -i FILE or -p")
    return recipients


class _PassphraseWhenNeeded:
    """Asks for the passphrase only if the header really holds a passphrase stanza."""

    def unwrap(self, stanzas: list[age.Stanza]) -> bytes | None:
        if not any(stanza.type == "scrypt" for stanza in stanzas):
            raise age.NoIdentityMatched("the file is encrypted to keys, not a passphrase: give -i KEYFILE")
        return age.ScryptIdentity(_passphrase(confirm=False)).unwrap(stanzas)


def _identities(args: argparse.Namespace) -> list:
    if args.recipient or args.recipients_file:
        raise age.RecipientError("-r and -R are for encryption; use -i KEYFILE to decrypt")
    identities: list = []
    for path in args.identity:
        identities += age.parse_identities(_read_text(path, "identity file"))
    if args.passphrase or not identities:
        identities.append(_PassphraseWhenNeeded())
    return identities


@contextmanager
def _output(path: str | None) -> Iterator[BinaryIO]:
    """Stdout, or a temporary file renamed into place only when everything succeeded."""
    if path is None or path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    import tempfile  # only when writing a file: keeps start-up quick

    target = Path(path)
    try:
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
    except OSError as error:
        raise ExportError(
            f"the output {path!r} could not be created ({error.strerror}); nothing was written. "
            "Choose a folder you can write to."
        ) from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        os.unlink(handle.name)
        raise


@contextmanager
def _input(path: str | None) -> Iterator[BinaryIO]:
    if path is None or path == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise MedSnapError(f"the input {path!r} could not be opened ({error.strerror}); nothing was written") from None
    with handle:
        yield handle


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader of our stdout went away: say so instead of a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise ExportError("the output pipe was closed before all data was written") from None


def _run(args: argparse.Namespace) -> int:
    if args.identity and not (args.decrypt or args.encrypt):
        # As age does: -i alone most likely means a forgotten -d, not "encrypt to my key".
        raise age.RecipientError("-i needs -d to decrypt (or an explicit -e to encrypt to that key)")
    if args.decrypt:
        if args.armor:
            raise age.RecipientError("-a is for encryption; armor is detected when decrypting")
        identities = _identities(args)
        with _input(args.input) as src, _output(args.output) as dst:
            age.decrypt_stream(src, dst, identities)
        return 0
    recipients = _recipients(args)
    if args.output in (None, "-") and not args.armor and sys.stdout.isatty():
        raise age.RecipientError("refusing to write binary ciphertext to the terminal; use -a or -o")
    with _input(args.input) as src, _output(args.output) as dst:
        age.encrypt_stream(src, dst, recipients, armor=args.armor)
    return 0
