"""Generate an age X25519 key file, or print the public key of one (-y), like age-keygen.

  medsnap keygen [-o FILE]        new key; the public key is also shown on stderr
  medsnap keygen -y [FILE]        print the age1... public key of each key in FILE
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from medsnap.crypto import age


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the new key here (created with mode 0600, never overwritten)")
    parser.add_argument("-y", action="store_true", dest="public",
                        help="print the public keys of the identity file INPUT (or stdin)")
    parser.add_argument("input", nargs="?", metavar="INPUT", help="identity file for -y")


def _print_recipients(path: str | None) -> int:
    try:
        text = sys.stdin.read() if path in (None, "-") else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise age.KeyFormatError(f"the identity file could not be read ({error})") from None
    for identity in age.parse_identities(text):
        print(identity.recipient().to_string())
    return 0


def run(args: argparse.Namespace) -> int:
    if args.public:
        return _print_recipients(args.input)
    if args.input:
        raise age.KeyFormatError("an input file is only used with -y")
    identity = age.X25519Identity.generate()
    text = age.identity_file_text(identity)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        if getattr(sys.stdout, "reader_gone", False):  # (closed_pipe.QuietStdout)
            from medsnap.errors import ExportError

            raise ExportError("the output pipe was closed before the new key was written, so "
                              "it was not kept anywhere; run it again, or use -o FILE")
        if not sys.stdout.isatty():
            print(f"Public key: {identity.recipient().to_string()}", file=sys.stderr)
        return 0
    try:
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise age.KeyFormatError(
            f"{args.output} already exists; it was left untouched. Choose another file name"
        ) from None
    except OSError as error:
        raise age.KeyFormatError(f"{args.output} could not be created ({error.strerror})") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"Public key: {identity.recipient().to_string()}", file=sys.stderr)
    return 0
