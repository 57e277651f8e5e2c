"""Open a received message: verify it again, show who sent it, save the image to a file.

Saving a copy for the record is an explicit, audited action (and may be disabled by policy).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from medsnap.cli.export import check_output_name
from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session, print_json)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the message id shown by 'medsnap inbox'")
    parser.add_argument("-o", "--output", required=True,
                        help="where to save the image: a name with no suffix (MedSnap adds "
                             ".png or .jpg, as the image was sent), NAME.png or NAME.jpg "
                             "('medsnap inbox' shows which), or a folder")
    parser.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    add_identity_options(parser)
    add_json_option(parser)


def _save_allowed() -> bool:
    try:
        from medsnap.config import load_config

        return bool(load_config()["allow_save_copy"])
    except Exception:
        return True


def image_format(image: bytes) -> str:
    """"png" or "jpeg": the verified bytes are one or the other (letter checks)."""
    from medsnap.messaging.compose import media_type_of

    return media_type_of(image).removeprefix("image/")


def names_folder(output: str) -> bool:
    """``-o DIR/`` or an existing folder: the file's name is MedSnap's to choose."""
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def saved_name(output: str, item_id: str, image: bytes) -> Path:
    """Where the received bytes go. They are saved as they are, never re-encoded, so the
    name must say what they are: a folder or a name without a suffix gets the right one
    (a clinician cannot know in advance whether a photo came as JPEG); a name that says
    the other format is refused, naming the one that would be accepted."""
    from medsnap.cli.export import check_image_suffix
    from medsnap.errors import UsageError

    fmt = image_format(image)
    suffix = ".png" if fmt == "png" else ".jpg"
    if names_folder(output):
        return Path(output) / f"medsnap-message-{item_id}{suffix}"
    path = Path(output)
    if not path.suffix:
        return path.with_name(path.name + suffix)
    try:
        check_image_suffix(path, fmt, saved="saved; the message stays in your inbox")
    except UsageError as error:
        raise UsageError(f"{error.message} Or leave the suffix off: MedSnap adds the right "
                         "one.") from None
    return path


def _check_folder(output: str) -> None:
    from medsnap.errors import UsageError

    if names_folder(output) and not Path(output).is_dir():
        raise UsageError(f"The folder {output!r} does not exist. Nothing was saved and the "
                         "message stays in your inbox; create the folder or choose another.")


def run(args: argparse.Namespace) -> int:
    from medsnap.errors import ExportError
    from medsnap.exporting import write_atomically
    from medsnap.messaging.inbox import Inbox
    from medsnap.messaging.inbox_preview import preview_of

    if not _save_allowed():
        raise ExportError("Saving a copy is turned off by your hospital's policy. Nothing was "
                          "written; view the message in the MedSnap window instead.")
    _check_folder(args.output)
    if Path(args.output).suffix and not names_folder(args.output):
        check_output_name(Path(args.output), force=args.force)  # before any passphrase
    session = open_session(args)
    inbox = Inbox(session)
    try:
        letter = inbox.read(args.id, crl=session.crl(refresh=True))
        # a refused name leaves it unread, and no receipt is sent
        output = saved_name(args.output, args.id, letter.image)
        if output != Path(args.output):  # the suffix or the name chosen here: checked now
            check_output_name(output, force=args.force)
        write_atomically(output, letter.image)
        inbox.mark_opened(args.id, letter)
        session.audit.record("saved", id=args.id, message_id=letter.message_id,
                             size=len(letter.image))
        sender = letter.sender
        facts = {"id": args.id, "message_id": letter.message_id, "from": sender.display_name,
                 "from_staff_id": sender.staff_id, "from_role": sender.role,
                 "issued_at": letter.issued_at.isoformat(), "note": letter.note,
                 "declaration": letter.declaration,
                 "priority": preview_of(letter.note, letter.annotations).priority,
                 "format": image_format(letter.image), "saved_to": str(output),
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
        print(f"Priority: {'URGENT' if facts['priority'] == 'urgent' else 'normal'}")
        print(f"Declaration: {facts['declaration']}")
        if facts["note"]:
            print(f"Note: {facts['note']}")
        print(f"Saved the image ({facts['format'].upper()}) to {output}.")
    return 0
