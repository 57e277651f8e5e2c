"""List your outbox (queued, sent, delivered, read, failed, refused, expired), retry or cancel
a message.

Listing, retrying and cancelling need no passphrase: the outbox holds ciphertext only.
"""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import add_json_option, print_json, when, workstation


def register(parser: argparse.ArgumentParser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--retry", metavar="ID", help="queue a failed message again")
    action.add_argument("--cancel", metavar="ID", help="stop a message not sent yet")
    parser.add_argument("--as", dest="staff_id", metavar="STAFF_ID",
                        help="whose outbox (default: who signed in last here)")
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.audit import AuditLog
    from medsnap.messaging.outbox import Outbox

    profile = workstation().current_profile(args.staff_id)
    outbox = Outbox(profile.outbox_path)
    try:
        if args.retry or args.cancel:
            message_id = args.retry or args.cancel
            (outbox.retry if args.retry else outbox.cancel)(message_id)
            from medsnap.messaging.audit_head import audit_head_for

            head = audit_head_for(workstation(), profile.staff_id)
            AuditLog(profile.audit_path, head).record("queued" if args.retry else "cancelled",
                                                      id=message_id)
            print(f"{'Queued again' if args.retry else 'Cancelled'}: {message_id}")
            return 0
        items = outbox.items()
    finally:
        outbox.close()
    if args.json:
        print_json([item.as_json() for item in items])
        return 0
    if not items:
        print("Your outbox is empty.")
    for item in items:
        reason = f"  ({item.reason})" if item.reason and item.state in (
            "queued", "failed", "refused", "expired") else ""
        print(f"{item.id}  {item.state:<9}  to {','.join(item.recipients)}  "
              f"{when(item.created_at)}  {item.size} bytes{reason}")
    return 0
