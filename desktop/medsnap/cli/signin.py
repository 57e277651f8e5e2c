"""Sign in with your staff id and passphrase (fetches your keys on a new workstation)."""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import add_identity_options, read_passphrase, workstation


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("staff_id", help="your staff id")
    add_identity_options(parser, staff_id=False)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.session import sign_in

    session = sign_in(workstation(), args.staff_id, read_passphrase(args),
                      endpoint_url=args.endpoint)
    try:
        facts = session.profile.facts()
        print(f"Signed in as {facts.get('display_name')} ({session.staff_id}). "
              "Your keys are unlocked for this command only; each command asks again.")
    finally:
        session.close()
    return 0
