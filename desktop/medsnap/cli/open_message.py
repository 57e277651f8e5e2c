"""Open a received message: verify it again, show who sent it, save the image to a file.

Saving a copy for the record is an explicit, audited action (and may be disabled by policy).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from medsnap.cli.export import check_output_name
from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session, print_json)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the message id shown by 'medsnap inbox'")
    parser.add_argument("-o", "--output", required=True,
                        help="where to save the image (.png or .jpg, as the image is sent)")
    parser.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    add_identity_options(parser)
    add_json_option(parser)


def _save_allowed() -> bool:
    try:
        from medsnap.config import load_config

        return bool(load_config()["allow_save_copy"])
    except Exception:
        return True


def _check_suffix_fits(output: Path, image: bytes) -> None:
    """The received bytes are verified as sent; they are saved as they are, never
    re-encoded, so the name must say what they are (.png, or .jpg/.jpeg)."""
    from medsnap.cli.export import check_image_suffix

    actual = "png" if image.startswith(b"\x89PNG") else "jpeg"
    check_image_suffix(output, actual, saved="saved; the message stays in your inbox")


def run(args: argparse.Namespace) -> int:
    from medsnap.errors import ExportError
    from medsnap.exporting import write_atomically
    from medsnap.messaging.inbox import Inbox

    if not _save_allowed():
        raise ExportError("Saving a copy is turned off by your hospital's policy. Nothing was "
                          "written; view the message in the MedSnap window instead.")
    output = Path(args.output)
    check_output_name(output, force=args.force)
    session = open_session(args)
    inbox = Inbox(session)
    try:
        letter = inbox.read(args.id, crl=session.crl(refresh=True))
        _check_suffix_fits(output, letter.image)  # refused: still unread, no receipt sent
        write_atomically(output, letter.image)
        inbox.mark_opened(args.id, letter)
        session.audit.record("saved", id=args.id, message_id=letter.message_id,
                             size=len(letter.image))
        sender = letter.sender
        facts = {"id": args.id, "message_id": letter.message_id, "from": sender.display_name,
                 "from_staff_id": sender.staff_id, "from_role": sender.role,
                 "issued_at": letter.issued_at.isoformat(), "note": letter.note,
                 "declaration": letter.declaration, "saved_to": str(output),
                 "checks": list(letter.verification.checks)}
        revoked = letter.verification.sender_revoked  # arrived before IT revoked the sender
        if revoked is not None:
            facts["caution"] = revoked.caution(sender.display_name)
    finally:
        inbox.close()
        session.close()
    if args.json:
        print_json(facts)
    else:
        print(f"From {facts['from']} ({facts['from_staff_id']}, {facts['from_role']}), "
              f"{facts['issued_at']} - verified: signature, sender, addressed to you.")
        if facts.get("caution"):
            print(f"Caution: {facts['caution']}")
        print(f"Declaration: {facts['declaration']}")
        if facts["note"]:
            print(f"Note: {facts['note']}")
        print(f"Saved the image to {output}.")
    return 0
