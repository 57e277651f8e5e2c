"""Enrol this workstation with a one-time code from IT: keys made here, certificates issued.

The keys never leave this computer unwrapped: they are wrapped with your passphrase, kept in
the system keyring, and the wrapped file is deposited at the endpoint so you can sign in on
any other workstation with your staff id and passphrase.
"""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import add_identity_options, read_passphrase, workstation


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", help="the one-time enrolment code from IT (e.g. ABCD-EFGH-...)")
    parser.add_argument("--staff-id", required=True, help="your staff id, as IT registered it")
    add_identity_options(parser, staff_id=False)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.session import enrol

    passphrase = read_passphrase(args, "Choose a passphrase (4+ words or 12+ characters): ",
                                 confirm=True)
    check_strength(passphrase, args.staff_id)
    desk = workstation()
    seen_before = desk.read().get("root_fingerprint", "")
    session = enrol(desk, args.staff_id, args.code.strip().upper(), passphrase,
                    endpoint_url=args.endpoint)
    try:
        facts = session.profile.facts()
        deposited = "" if facts.get("key_file_deposited") else (
            " Your wrapped key file could not be deposited yet; it will be at the next sync.")
        print(f"Enrolled {facts.get('display_name')} ({session.staff_id}) at "
              f"{session.transport.url}.{deposited}")
        warn_if_root_not_pinned(session.profile.root_pem(), session.transport.url,
                                seen_before)
    finally:
        session.close()
    return 0


def check_strength(passphrase: str, staff_id: str) -> None:
    """A weak passphrase is a wrong answer to the prompt (exit 2), not a key error (6)."""
    from medsnap.crypto.passphrase import WeakPassphrase, check_passphrase_strength
    from medsnap.errors import UsageError

    try:
        check_passphrase_strength(passphrase, staff_id)
    except WeakPassphrase as error:
        raise UsageError(error.message) from None


def warn_if_root_not_pinned(root_pem: bytes, url: str, seen_before: str) -> None:
    """Without IT's pin (policy root_fingerprint) the root came from the endpoint itself:
    say so on standard error, with its fingerprint to compare with the one IT publishes."""
    import sys

    from medsnap.config import load_config
    from medsnap.messaging.profile import root_fingerprint

    if str(load_config()["root_fingerprint"] or ""):
        return  # checked against IT's pin before the code was used
    found = root_fingerprint(root_pem)
    same = "It is the root this workstation trusted before. " if seen_before == found else ""
    print(f"Warning: no hospital root fingerprint is pinned by IT on this computer (policy "
          f"root_fingerprint), so MedSnap trusted the root certificate that the endpoint at "
          f"{url} presented. Its SHA-256 fingerprint is:\n  {found}\n{same}Compare it with "
          "the fingerprint IT published; if it differs, do not use MedSnap on this computer "
          "and tell IT at once.", file=sys.stderr)
