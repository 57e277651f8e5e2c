"""Send a clean, signed, encrypted image to a named colleague (queued if offline).

The image is re-encoded from its pixels (no metadata survives), optionally cropped and
redacted, checked by the metadata verifier, sealed to the colleague and to you, and stored
in your outbox; then sending is tried at once. Offline, it waits in the outbox and is sent
by 'medsnap sync' (or the app) when the endpoint is back.
"""

from __future__ import annotations

import argparse

from medsnap.cli.identifiable_check import require_confirmation
from medsnap.cli.record_options import (add_record_options, box, open_record,
                                        read_pdf_password)
from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session_while, print_json)

DECLARATIONS = ("not-identifiable", "consent-verbal", "consent-written", "direct-care")
DECLARATION_HELP = """  --declare not-identifiable   the patient cannot be identified from it
  --declare direct-care        direct care (same care team)
  --declare consent-verbal     the patient consented verbally
  --declare consent-written    the patient consented in writing"""


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError("a message expires after 1 to 90 days")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", help="the source image (PNG, JPEG, TIFF, WebP, BMP, GIF, "
                                      "PDF or DICOM)")
    parser.add_argument("--to", action="append", required=True, metavar="NAME_OR_ID",
                        help="a colleague's staff id or name (repeat for more)")
    parser.add_argument("--note", default="", help="a short note shown with the image")
    parser.add_argument("--urgent", action="store_true",
                        help="mark it urgent (the colleague's inbox shows it so)")
    # no default: like the window, the sender must choose (a wrong default mislabels
    # identifiable images); checked in run() so that the error can explain the choices
    parser.add_argument("--declare", choices=DECLARATIONS,
                        help="required: whether the patient can be identified and on what basis "
                             "it is shared (one of the four choices)")
    parser.add_argument("--confirm-not-identifiable", action="store_true",
                        help="with --declare not-identifiable on a picture MedSnap flags (a "
                             "letter page, burned-in radiograph text) or with nothing "
                             "redacted or cropped: I checked that no identifier is left")
    parser.add_argument("--crop", type=box, metavar="X,Y,W,H", help="send only this rectangle")
    parser.add_argument("--redact", type=box, action="append", default=[], metavar="X,Y,W,H",
                        help="black out this rectangle for good (repeat for more)")
    parser.add_argument("--expires", type=_days, metavar="DAYS",
                        help="delete it everywhere after DAYS days (default 14)")
    parser.add_argument("--no-send", action="store_true",
                        help="only queue it in the outbox; 'medsnap sync' sends it")
    add_record_options(parser)  # as 'medsnap export': --page, --dpi, --frame, --window...
    add_identity_options(parser)  # with --password-stdin too: password first, then passphrase
    add_json_option(parser)


def clean_image(args: argparse.Namespace) -> bytes:
    """Load, crop, redact, re-encode: what the export command does, in memory, verified."""
    if args.redact:
        return _painted_image(args)
    from medsnap.config.policy_rules import jpeg_quality
    from medsnap.imaging import encode_clean, format_for_picture

    picture = open_record(args, args.image, painting=False)  # prints its cautions
    require_confirmation(args, picture)
    pixels = plain_pixels(picture.image, args.crop)
    try:  # at the configured JPEG quality, as exporting.encode_for_export (without Qt)
        return encode_clean(pixels, format_for_picture(picture), quality=jpeg_quality())
    finally:
        pixels.close()


def plain_pixels(image, crop: tuple[int, int, int, int] | None):
    """What the painter (render.render_to_pil) outputs for a picture with nothing painted on
    it, without starting Qt: RGBA when the picture has transparency, else RGB (grey stays
    grey), cropped. tests/messaging/test_send_pixels.py pins it to the painter's bytes."""
    left, top, right, bottom = 0, 0, image.width, image.height
    if crop:
        x, y, width, height = crop
        if x + width > image.width or y + height > image.height:
            from medsnap.cli.export import _rect_inside

            _rect_inside("crop", crop, image.size)  # raises the export command's UsageError
        left, top, right, bottom = x, y, x + width, y + height
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
    if not (image.mode == mode or (image.mode == "L" and mode == "RGB")):
        image = image.convert(mode)
    if (left, top, right, bottom) == (0, 0, image.width, image.height):
        return image  # the whole picture: no copy of its pixels (~4 ms and 5 MB here)
    return image.crop((left, top, right, bottom))


def _painted_image(args: argparse.Namespace) -> bytes:
    """Redactions are painted by the one painter (Qt), exactly as the window exports."""
    from medsnap.cli.export import crop_and_redact
    from medsnap.document import Document
    from medsnap.exporting import export_bytes, format_for_picture

    picture = open_record(args, args.image, painting=True)
    require_confirmation(args, picture)
    document = Document(picture)
    crop_and_redact(document, args.crop, args.redact)
    return export_bytes(document, format_for_picture(document.picture))


def require_declaration(args: argparse.Namespace) -> None:
    if args.declare is None:
        from medsnap.errors import UsageError

        raise UsageError("Say whether the patient can be identified from this image; nothing "
                         "was sent. Add one of:\n" + DECLARATION_HELP)


def run(args: argparse.Namespace) -> int:
    require_declaration(args)
    read_pdf_password(args)  # a piped PDF password is the first line, before the passphrase

    def look_up(session):  # while the image is re-encoded: imports and endpoint look-ups
        import medsnap.messaging.compose
        import medsnap.messaging.sync  # noqa: F401

        from medsnap.cli.refusals import colleague_or_why_not, explain_refused_sender
        from medsnap.errors import MedSnapError

        try:
            colleagues = [colleague_or_why_not(session, name) for name in args.to]
        except MedSnapError as error:  # a 401: this sender's own certificate revoked?
            raise explain_refused_sender(session, error) from None
        session.crl(refresh=False)  # the kept copy; fetched if there is none yet
        return colleagues

    # without redactions nothing is painted: the re-encode (which releases the GIL) runs on
    # a thread while this one imports the messaging code and looks up the colleagues
    session, image, colleagues = open_session_while(args, lambda: clean_image(args), look_up,
                                                    work_on_thread=not args.redact)
    from medsnap.messaging.compose import queue_letter, send_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.sent_notes import keep_for_sender
    from medsnap.messaging.sync import SyncReport

    outbox = Outbox(session.profile.outbox_path)
    try:
        # encode_clean ran the metadata verifier on exactly these bytes
        # priority travels signed in the letter's annotations data, as the window sends it
        priority = "urgent" if args.urgent else "normal"
        letter = dict(note=args.note, declaration=args.declare, expires_days=args.expires,
                      colleagues=colleagues, verified=True, annotations={"priority": priority})
        if args.no_send:
            message_id, report = queue_letter(session, outbox, image, args.to,
                                              **letter), SyncReport()
        else:  # stored while it uploads; 'medsnap sync' updates delivery states
            message_id, report = send_letter(session, outbox, image, args.to, **letter)
        del image
        keep_for_sender(session, message_id, args.note, priority, args.declare)  # Sent list
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
