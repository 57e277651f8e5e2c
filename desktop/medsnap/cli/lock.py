"""Lock now: the key agent drops your keys and stops; the next command asks for the passphrase."""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import workstation


def register(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--as", dest="staff_id", metavar="STAFF_ID",
                     help="whose keys (default: who signed in last here)")
    who.add_argument("--all", action="store_true",
                     help="every clinician's keys held on this computer for this user")


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.agent_client import lock_agent
    from medsnap.messaging.warm_control import stop_runner_unless_needed

    desk = workstation()
    if args.all:
        folder = desk.home / "profiles"
        staff_ids = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    else:
        staff_ids = [desk.current_profile(args.staff_id).staff_id]
    locked = [staff_id for staff_id in staff_ids if lock_agent(desk.home, staff_id)]
    stop_runner_unless_needed(desk.home)  # the warm runner serves signed-in clinicians only
    if locked:
        print(f"Locked: the keys of {', '.join(locked)} are no longer held on this computer.")
    else:
        print("Nothing to lock: no keys were held unlocked.")
    return 0
