"""What the messaging subcommands share: options, the passphrase, opening a session.

The passphrase comes, in this order, from ``--passphrase-stdin`` (one line on standard input),
the ``MEDSNAP_PASSPHRASE`` environment variable, or a prompt on the terminal (not echoed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from medsnap.errors import UsageError
from medsnap.messaging.profile import Workstation, medsnap_home

PASSPHRASE_ENV = "MEDSNAP_PASSPHRASE"


def add_identity_options(parser: argparse.ArgumentParser, *, staff_id: bool = True) -> None:
    if staff_id:
        parser.add_argument("--as", dest="staff_id", metavar="STAFF_ID",
                            help="act as this clinician for this command only (default: who "
                                 "signed in last here)")
    parser.add_argument("--endpoint", metavar="URL",
                        help="the endpoint address (default: policy, or the running demo)")
    parser.add_argument("--passphrase-stdin", action="store_true",
                        help="read the passphrase from the first line of standard input")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def passphrase_prompt(staff_id: str) -> str:
    """Whose passphrase: several clinicians may share this computer's login."""
    return f"Passphrase for {staff_id}: "


def read_passphrase(args: argparse.Namespace, prompt: str = "Passphrase: ", *,
                    confirm: bool = False) -> str:
    if getattr(args, "passphrase_stdin", False):
        line = sys.stdin.readline()
        value = line.rstrip("\r\n")
    elif os.environ.get(PASSPHRASE_ENV):
        value = os.environ[PASSPHRASE_ENV]
    else:
        import getpass

        if not sys.stdin.isatty():
            raise UsageError("No passphrase given: type it at the prompt, pipe it with "
                             f"--passphrase-stdin, or set {PASSPHRASE_ENV}. Nothing was done.")
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat passphrase: ") != value:
            raise UsageError("The two passphrases differ. Nothing was done; try again.")
    if not value:
        raise UsageError("The passphrase is empty. Nothing was done.")
    return value


def workstation() -> Workstation:
    return Workstation(medsnap_home())


def agent_session(args: argparse.Namespace, *, activity: bool = True):
    """A session served by this profile's key agent ('medsnap signin'), else None.

    A socket whose agent is gone is reported in one plain line; then the caller prompts.
    """
    from medsnap.messaging.agent_client import connect_agent
    from medsnap.messaging.agent_socket import AgentUnavailable
    from medsnap.messaging.session import session_from_agent

    desk = workstation()
    profile = desk.current_profile(getattr(args, "staff_id", None))
    try:
        agent = connect_agent(desk.home, profile.staff_id, activity=activity)
    except AgentUnavailable as error:
        print(f"{error.message} Asking for your passphrase instead.", file=sys.stderr)
        return None
    if agent is None:
        return None
    try:
        return session_from_agent(desk, profile, agent, endpoint_url=getattr(args, "endpoint",
                                                                            None))
    except BaseException:
        agent.close()
        raise


def open_session(args: argparse.Namespace, passphrase: str | None = None, *,
                 activity: bool = True):
    """The chosen (or last) clinician's keys: the key agent's, else unlocked with the
    passphrase; the caller closes the session."""
    from medsnap.messaging.session import sign_in

    if passphrase is None:
        session = agent_session(args, activity=activity)
        if session is not None:
            return session
    desk = workstation()
    profile = desk.current_profile(getattr(args, "staff_id", None))
    passphrase = passphrase or read_passphrase(args, passphrase_prompt(profile.staff_id))
    return sign_in(desk, profile.staff_id, passphrase,
                   endpoint_url=getattr(args, "endpoint", None), record=False)


def open_session_while(args: argparse.Namespace, work, prepare=None, *,
                       work_on_thread: bool = False):
    """The session (as ``open_session``), the result of ``work()`` and of ``prepare(session)``.

    Both at once: the session opens - from the key agent, or by the unlock (scrypt, ~1 s,
    releases the GIL) - and ``prepare(session)`` does what needs the endpoint, while
    ``work()`` runs on the other thread. ``work()`` stays on this (main) thread unless
    ``work_on_thread`` (painting with Qt needs the main thread). Returns ``(session, work
    result, prepare result or None)``; the session is closed if anything fails, and a
    failure of ``work()`` is the one reported.
    """
    from medsnap.messaging.agent_socket import agent_socket_path

    desk = workstation()
    profile = desk.current_profile(getattr(args, "staff_id", None))  # fail fast, no prompt
    has_agent = agent_socket_path(desk.home, profile.staff_id).exists()
    passphrase = None if has_agent else read_passphrase(  # prompt before the threads
        args, passphrase_prompt(profile.staff_id))

    def opening():
        session = open_session(args, passphrase)
        try:
            return session, (prepare(session) if prepare else None)
        except BaseException:
            session.close()
            raise

    if not work_on_thread:
        unlocking = _Background(opening)
        try:
            result = work()
        except BaseException:
            try:
                unlocking.result()[0].close()
            except Exception:  # the work's own error is the one to report
                pass
            raise
        session, prepared = unlocking.result()
        return session, result, prepared
    working = _Background(work)
    try:
        session, prepared = opening()
    except BaseException:
        working.result()  # its error first, if it has one
        raise
    try:
        return session, working.result(), prepared
    except BaseException:
        session.close()
        raise


class _Background:
    """``function()`` on a thread of its own; ``result()`` waits and returns or raises.

    A plain thread: concurrent.futures would import logging, queue and traceback (~10 ms of
    every command's start-up) for the one job each command hands over."""

    def __init__(self, function):
        import threading
        # Both threads go on importing. dataclasses reads sys.modules["typing"] without
        # importing it, so a dataclass defined on one thread while the other is half-way
        # through importing typing fails ("partially initialized module 'typing'"; seen
        # once in CI): typing is imported whole before the second thread starts.
        import typing  # noqa: F401

        self._outcome: tuple[bool, object] = (False, None)
        self._thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self._thread.start()

    def _run(self, function) -> None:
        try:
            self._outcome = (True, function())
        except BaseException as error:  # handed to result(), on the caller's thread
            self._outcome = (False, error)

    def result(self):
        self._thread.join()
        done, value = self._outcome
        if not done:
            raise value  # type: ignore[misc]
        return value


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, sort_keys=True))


def when(epoch: int | float | None) -> str:
    if not epoch:
        return "-"
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")
