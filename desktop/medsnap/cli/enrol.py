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
    session = enrol(workstation(), args.staff_id, args.code.strip().upper(), passphrase,
                    endpoint_url=args.endpoint)
    try:
        facts = session.profile.facts()
        deposited = "" if facts.get("key_file_deposited") else (
            " Your wrapped key file could not be deposited yet; it will be at the next sync.")
        print(f"Enrolled {facts.get('display_name')} ({session.staff_id}) at "
              f"{session.transport.url}.{deposited}")
    finally:
        session.close()
    return 0
