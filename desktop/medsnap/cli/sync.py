"""Send what is queued, update delivery states and fetch new messages (once, or --watch)."""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import (add_identity_options, add_json_option,
                                               open_session, print_json)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--watch", action="store_true",
                        help="keep syncing every --interval seconds until Ctrl+C")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds (default 10)")
    add_identity_options(parser)
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    import threading

    from medsnap.messaging.errors import EndpointUnreachable
    from medsnap.messaging.inbox import Inbox
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.sync import SyncWorker

    # a background --watch loop does not keep the key agent from locking
    session = open_session(args, activity=not args.watch)
    outbox, inbox = Outbox(session.profile.outbox_path), Inbox(session)
    worker = SyncWorker(session, outbox, inbox)
    try:
        if args.watch:
            stop = threading.Event()
            try:
                worker.run_forever(stop, args.interval)
            except KeyboardInterrupt:
                stop.set()
            return 0
        from medsnap.cli.refusals import explain_refused_sender
        from medsnap.errors import MedSnapError

        try:
            report = worker.run_once()
        except MedSnapError as error:  # a 401: this clinician's certificate revoked?
            raise explain_refused_sender(session, error) from None
    finally:
        inbox.close()
        outbox.close()
        session.close()
    if args.json:
        print_json(report.as_json())
    else:
        print(f"Sent {len(report.sent)}, failed {len(report.failed)}, delivered "
              f"{len(report.delivered)}, read {len(report.read)}; received {report.received}, "
              f"refused {report.refused}.")
        troubles = len(report.refused_by_recipients) + len(report.undelivered)
        if troubles:
            print(f"Not opened or not delivered to a recipient: {troubles} (see 'medsnap "
                  "outbox' for who and why).")
    if report.offline:
        raise EndpointUnreachable(f"{report.offline} Messages in your outbox stay there and "
                                  "are sent when the endpoint is reachable.")
    return 0
