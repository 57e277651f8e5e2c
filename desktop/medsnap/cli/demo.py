"""Run the demo: an endpoint on this computer with demo colleagues, until Ctrl+C.

Prints the address and each demo colleague's staff id and passphrase, and points this
workstation at the demo so that 'medsnap send', 'medsnap inbox' and the window use it.
"""

from __future__ import annotations

import argparse


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=None,
                        help="port on 127.0.0.1 (default 8767, or a free one if it is taken; "
                             "0 picks a free one; a taken PORT is an error)")


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from medsnap.messaging.demo import DEMO_PORT, port_free, running_demo_url, start_demo
    from medsnap.messaging.profile import medsnap_home

    refuse_if_endpoint_configured()
    home = medsnap_home()
    refused = running_demo_url(home) is not None or (
        args.port not in (None, 0) and not port_free(args.port))
    if not refused:  # else start_demo refuses at once: say nothing of starting
        print("Starting the MedSnap demo endpoint (demo data only, not for patients)...",
              flush=True)
    demo = start_demo(home, port=DEMO_PORT if args.port is None else args.port,
                      exact_port=args.port is not None, reuse=False)
    print(f"\nDemo endpoint: {demo.url}   (data in {demo.folder})\n")
    print("Demo colleagues (their keys are on this computer; sign in with any):")
    for person in demo.colleagues:
        print(f"  {person.staff_id:<11} {person.name:<15} {person.role:<12} "
              f"passphrase: {person.passphrase}")
    first, second = demo.colleagues[0], demo.colleagues[1]
    print("\nTry, in another terminal:")
    print(f"  medsnap send --as {first.staff_id} --to \"{second.name}\" picture.png "
          "--declare direct-care --note \"have a look\"")
    print(f"  medsnap inbox --as {second.staff_id}")
    print(f"  medsnap open --as {second.staff_id} ID -o received.png")
    print("\nServing until Ctrl+C.", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())  # a service manager's stop
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping the demo endpoint.")
        demo.stop()
    return 0


def refuse_if_endpoint_configured() -> None:
    """An endpoint chosen on purpose (MEDSNAP_ENDPOINT or IT's policy) wins over the demo, as
    in the window: the demo would point this workstation away from it. Refused before
    anything starts or is written."""
    from medsnap.errors import UsageError
    from medsnap.messaging.profile import ENDPOINT_ENV, configured_endpoint

    url, who = configured_endpoint()
    if not url:
        return
    again = (f" To try the demo, run it without {ENDPOINT_ENV} set." if who == ENDPOINT_ENV
             else " The demo is for computers without a hospital endpoint.")
    raise UsageError(f"This computer is set to use the MedSnap endpoint at {url} ({who}), so "
                     f"the demo was not started. Nothing was changed.{again}")
