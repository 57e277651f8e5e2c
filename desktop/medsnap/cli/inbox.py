"""Fetch and list your inbox: who sent what, verified or refused (and why)."""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session, print_json, when)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offline", action="store_true",
                        help="list what is already on this computer without fetching")
    add_identity_options(parser)
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.inbox import Inbox
    from medsnap.messaging.sync import SyncReport, SyncWorker

    session = open_session(args)
    inbox = Inbox(session)
    try:
        report = SyncReport()
        if not args.offline:
            from medsnap.cli.refusals import explain_refused_sender
            from medsnap.errors import MedSnapError

            try:
                report = SyncWorker(session, None, inbox).run_once()
            except MedSnapError as error:  # a 401: this clinician's certificate revoked?
                raise explain_refused_sender(session, error) from None
        items = inbox.with_previews(inbox.items())  # decrypted in memory: priority
        items.sort(key=lambda item: (item.shown_at, item.received_at, item.id))  # as shown
    finally:
        inbox.close()
        session.close()
    if args.json:
        print_json([{**item.as_json(), "urgent": _urgent(item)} for item in items])
        return 0
    if report.offline:
        print(f"(not fetched: {report.offline})")
    if not items:
        print("Your inbox is empty.")
    for item in items:
        v = item.verdict
        if item.state == "refused":
            print(f"{item.id}  REFUSED   {when(item.shown_at)}  {v.get('reason', '')}")
        else:
            # the time the sender signed it, as their window says "Sent … at", not when
            # this workstation happened to fetch it
            print(f"{item.id}  {item.state:<9} {when(item.shown_at)}  "
                  f"{'URGENT  ' if _urgent(item) else ''}from "
                  f"{v.get('from', '?')} ({v.get('from_staff_id', '?')})  "
                  f"{v.get('declaration', '')}  {_format(v)}{v.get('image_size', 0)} bytes"
                  + (f"  {item.revocation_mark}" if item.revocation_mark else ""))
    return 0


def _format(verdict: dict) -> str:
    """"JPEG " or "PNG ": the name 'medsnap open -o' needs (.jpg or .png) is known before."""
    kind = {"image/png": "PNG", "image/jpeg": "JPEG"}.get(verdict.get("media_type", ""))
    return f"{kind} " if kind else ""


def _urgent(item) -> bool:
    """Marked urgent by its sender (known once verified: the signed annotations say so)."""
    return item.preview is not None and item.preview.urgent
