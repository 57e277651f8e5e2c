"""Send a clean, signed, encrypted image to a named colleague (queued if offline).

The image is re-encoded from its pixels (no metadata survives), optionally cropped and
redacted, checked by the metadata verifier, sealed to the colleague and to you, and stored
in your outbox; then sending is tried at once. Offline, it waits in the outbox and is sent
by 'medsnap sync' (or the app) when the endpoint is back.
"""

from __future__ import annotations

import argparse

from medsnap.cli.export import box
from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session_while, print_json)

DECLARATIONS = ("not-identifiable", "consent-verbal", "consent-written", "direct-care")


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError("a message expires after 1 to 90 days")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="the source image (PNG, JPEG, TIFF, WebP, BMP, GIF)")
    parser.add_argument("--to", action="append", required=True, metavar="NAME_OR_ID",
                        help="a colleague's staff id or name (repeat for more)")
    parser.add_argument("--note", default="", help="a short note shown with the image")
    parser.add_argument("--declare", choices=DECLARATIONS, default="not-identifiable",
                        help="how the patient could be identified (default not-identifiable)")
    parser.add_argument("--crop", type=box, metavar="X,Y,W,H", help="send only this rectangle")
    parser.add_argument("--redact", type=box, action="append", default=[], metavar="X,Y,W,H",
                        help="black out this rectangle for good (repeat for more)")
    parser.add_argument("--expires", type=_days, metavar="DAYS",
                        help="delete it everywhere after DAYS days (default 14)")
    parser.add_argument("--no-send", action="store_true",
                        help="only queue it in the outbox; 'medsnap sync' sends it")
    add_identity_options(parser)
    add_json_option(parser)


def clean_image(args: argparse.Namespace) -> bytes:
    """Load, crop, redact, render and re-encode: what the export command does, in memory."""
    from medsnap.cli.export import _rect_inside
    from medsnap.document import AddAnnotation, Document, Redaction, SetCrop
    from medsnap.exporting import export_bytes, load_for_export

    picture = load_for_export(args.image)
    size = (picture.width, picture.height)
    document = Document(picture)
    if args.crop:
        SetCrop(document.crop, _rect_inside("crop", args.crop, size)).apply(document)
    for values in args.redact:
        AddAnnotation(Redaction(rect=_rect_inside("redact", values, size))).apply(document)
    fmt = "jpeg" if picture_is_jpeg(args.image) else "png"
    return export_bytes(document, fmt)


def picture_is_jpeg(path: str) -> bool:
    with open(path, "rb") as source:
        return source.read(3) == b"\xff\xd8\xff"


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.sync import SyncReport, SyncWorker

    session, image = open_session_while(args, lambda: clean_image(args))
    outbox = Outbox(session.profile.outbox_path)
    try:
        message_id = queue_letter(session, outbox, image, args.to, note=args.note,
                                  declaration=args.declare, expires_days=args.expires)
        report = SyncReport()
        if not args.no_send:
            report = SyncWorker(session, outbox).run_once()
        item = outbox.get(message_id)
    finally:
        outbox.close()
        session.close()
    if args.json:
        print_json({**item.as_json(), "offline": report.offline})
    elif item.state == "sent":
        print(f"Sent {message_id} to {', '.join(item.recipients)} ({item.size} bytes, "
              "signed and encrypted).")
    elif item.state == "failed":
        print(f"Not sent: {item.reason}")
    else:
        print(f"Queued {message_id} in your outbox; it will be sent when the endpoint is "
              f"reachable. {report.offline}".rstrip())
    return 9 if item.state == "failed" else 0
