"""Sign in with your staff id and passphrase (fetches your keys on a new workstation).

Your keys then stay unlocked in MedSnap's key agent, a small process of yours that holds them
in memory only, so that 'send', 'inbox', 'open' and 'sync' do not ask again. It locks after
the idle time your hospital set (default 5 minutes without a command) and on 'medsnap lock'.
"""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import (add_identity_options, passphrase_prompt,
                                               read_passphrase, workstation)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("give a number of seconds above 0")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("staff_id", help="your staff id")
    parser.add_argument("--lock-after", type=_seconds, metavar="SECONDS",
                        help="lock sooner than your hospital's idle time (never later)")
    parser.add_argument("--no-agent", action="store_true",
                        help="keep nothing unlocked: every command asks for the passphrase")
    add_identity_options(parser, staff_id=False)


def policy_idle_seconds() -> float:
    from medsnap.messaging.profile import _policy

    return 60.0 * int(_policy("lock_timeout_minutes") or 5)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.warm_control import launch_runner, release, stop_runner_unless_needed

    desk = workstation()
    passphrase = read_passphrase(args, passphrase_prompt(args.staff_id))
    # the warm runner (keyless: started before the keys are unlocked) imports meanwhile
    launcher = None if args.no_agent else launch_runner(desk.home)
    try:
        return _sign_in(args, desk, passphrase)
    finally:
        release(launcher)
        if launcher is not None:
            stop_runner_unless_needed(desk.home)  # signin failed: nobody to serve


def _sign_in(args: argparse.Namespace, desk, passphrase: str) -> int:
    from medsnap.messaging.agent_client import start_agent
    from medsnap.messaging.agent_socket import AgentUnavailable
    from medsnap.messaging.session import sign_in

    session = sign_in(desk, args.staff_id, passphrase, endpoint_url=args.endpoint)
    try:
        facts = session.profile.facts()
        who = f"{facts.get('display_name')} ({session.staff_id})"
        if args.no_agent:
            print(f"Signed in as {who}. Your keys were unlocked for this command only; each "
                  "command asks again.")
            return 0
        idle = policy_idle_seconds()
        idle = min(idle, args.lock_after) if args.lock_after else idle
        try:
            start_agent(desk.home, session.staff_id, session.keys.keys, idle)
        except AgentUnavailable as error:
            print(f"Signed in as {who}. {error.message}")
            return 0
    finally:
        session.close()
    print(f"Signed in as {who}. Your keys stay unlocked in MedSnap's key agent until "
          f"{_duration(idle)} pass without a command, or 'medsnap lock'.")
    return 0


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"
