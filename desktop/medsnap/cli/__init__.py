"""The ``medsnap`` command: subcommands for every headless flow, the window otherwise.

``medsnap`` alone (or ``medsnap IMAGE``) opens the window. Each subcommand lives in its
own module here, exposing ``register(parser)`` and ``run(args) -> int``; it is imported
only when used, so start-up stays quick.
"""

from __future__ import annotations

import importlib
import os
import sys

from medsnap.errors import MedSnapError

TYPE_CHECKING = False  # argparse (with re and gettext) is imported when a command runs here:
if TYPE_CHECKING:  # a command handed to the warm runner never needs it (~6 ms)
    import argparse

# Stable command names -> module under medsnap.cli. Add at the bottom; never rename.
COMMANDS: dict[str, str] = {
    "export": "export",
    "inspect": "inspect",
    "age": "age",
    "keygen": "keygen",
    "enrol": "enrol",
    "signin": "signin",
    "send": "send",
    "outbox": "outbox",
    "sync": "sync",
    "inbox": "inbox",
    "open": "open_message",
    "audit": "audit",
    "demo": "demo",
    "lock": "lock",
}

#: What each exit code means; OWN_MEANINGS gives a command's own words for one.
EXIT_MEANINGS: dict[int, str] = {
    0: "success",
    1: "inspect: the file carries metadata; audit verify: the log was altered",
    2: "usage error (also: no such colleague or message id, a demo already running)",
    3: "the input could not be read (corrupt, unsupported, too large)",
    4: "the output failed the metadata verifier; nothing was written",
    5: "the output could not be written",
    6: "encryption, signature or key error",
    7: "not signed in, no profile or no endpoint configured (messaging)",
    8: "the endpoint cannot be reached; nothing new was sent or queued (send while\n"
       "     offline queues and exits 0); the outbox keeps what it held and retries it",
    9: "the endpoint refused the request (the message says why)",
}
#: The codes each command can return besides 0 (success) and 2 (usage error), from the
#: errors it raises; tests/messaging/test_cli_help_newuser.py checks real failures.
COMMAND_EXIT_CODES: dict[str, tuple[int, ...]] = {
    "export": (3, 4, 5), "inspect": (1, 3), "age": (3, 5, 6), "keygen": (5, 6),
    "enrol": (6, 7, 8, 9), "signin": (6, 7, 8, 9), "send": (3, 4, 6, 7, 8, 9),
    "outbox": (6, 7), "sync": (6, 7, 8, 9), "inbox": (6, 7, 8, 9), "open": (5, 6, 7, 8, 9),
    "audit": (1, 6, 7), "demo": (7,), "lock": (7,),
}
OWN_MEANINGS: dict[tuple[str, int], str] = {
    ("inspect", 1): "the file carries metadata",
    ("audit", 1): "verify: the log was altered or cut short",
    ("send", 2): "usage error (also: a --to colleague matching nobody or several)",
    ("open", 2): "usage error (also: an unknown message id)",
    ("outbox", 2): "usage error (also: an unknown message id)",
    ("demo", 2): "usage error (also: a demo already running here, a --port taken)",
    ("demo", 7): "the demo endpoint did not start",
}


def exit_codes(name: str | None = None) -> str:
    """The exit codes of command ``name`` (all of them without a name), for --help."""
    own = COMMAND_EXIT_CODES.get(name or "")  # a command not in the table yet: all codes
    codes = sorted({0, 2, *own}) if own is not None else sorted(EXIT_MEANINGS)
    usage = "usage error: wrong or missing arguments; nothing was done"
    meanings = [OWN_MEANINGS.get((name, code))
                or (usage if name and code == 2 else EXIT_MEANINGS[code]) for code in codes]
    return "exit codes:\n" + "".join(f"  {code}  {meaning}\n"
                                     for code, meaning in zip(codes, meanings))


EXIT_CODES = exit_codes()


def build_parser(name: str) -> argparse.ArgumentParser:
    import argparse

    module = importlib.import_module(f"medsnap.cli.{COMMANDS[name]}")
    parser = argparse.ArgumentParser(
        prog=f"medsnap {name}",
        description=(module.__doc__ or "").strip().splitlines()[0],
        epilog=exit_codes(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.register(parser)
    parser.set_defaults(_run=module.run)
    return parser


# Commands that close every file and connection they open before returning: run as a program,
# they exit without the interpreter's teardown of their ~300 modules (15-25 ms per command).
QUICK_EXIT = ("send", "inbox")
# Commands a warm runner may run while a clinician is signed in (messaging.warm_runner): the
# command hands itself over to a process that has their code loaded already.
WARM_COMMANDS = ("send", "inbox", "outbox", "sync", "open")


def main(argv: list[str] | None = None) -> int:
    as_program = argv is None  # called with arguments (tests, scripts): return, never exit
    argv = sys.argv[1:] if argv is None else list(argv)
    if as_program:  # `medsnap outbox | head -1`: the output ends there, quietly
        from medsnap.closed_pipe import quiet_stdout

        quiet_stdout()
    if as_program and argv and argv[0] in WARM_COMMANDS:
        from medsnap.messaging.warm_client import run_warm

        code = run_warm(argv)  # None: no warm runner here (or it declined): run it here
        if code is not None:
            return code
    if argv and argv[0] in ("-h", "--help"):
        print("usage: medsnap [IMAGE]  |  medsnap COMMAND ...\n\ncommands:")
        import textwrap

        for name in COMMANDS:
            print(textwrap.fill(summary(name), 79, initial_indent=f"  {name:<8} ",
                                subsequent_indent=" " * 11))
        print("\n" + EXIT_CODES)
        print("admin:\n  medsnap --install-desktop-entry [--system]   add MedSnap to the menu")
        print("  medsnap --show-config                         settings in force, source, lock")
        return 0
    if argv and argv[0] in ("--install-desktop-entry", "--show-config"):
        return _admin_flag(argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-") \
            and not os.path.exists(argv[0]):
        return _unknown(argv[0])  # before Qt: a typo must not start (or crash) a window
    if not argv or argv[0] not in COMMANDS:
        from medsnap.app import main as run_window

        return run_window(argv)
    args = build_parser(argv[0]).parse_args(argv[1:])
    try:
        code = int(args._run(args) or 0)
    except MedSnapError as error:
        print(f"medsnap {argv[0]}: {error.message}", file=sys.stderr)
        code = error.exit_code
    except KeyboardInterrupt:
        return 130
    if as_program and argv[0] in QUICK_EXIT:
        _exit_without_teardown(code)
    return code


def _exit_without_teardown(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: what Python's own exit reports
        code = code or 120
    os._exit(code)


def summary(name: str) -> str:
    """The first line of a command's docstring, read without importing the command (all of
    them imported would slow 'medsnap --help' down); imported where there is no source."""
    import ast
    from importlib.util import find_spec

    module = f"medsnap.cli.{COMMANDS[name]}"
    try:
        with open(find_spec(module).origin, encoding="utf-8") as source:
            doc = ast.get_docstring(ast.parse(source.read()))
    except (OSError, SyntaxError, ValueError, TypeError, AttributeError):
        doc = importlib.import_module(module).__doc__
    return (doc or "").strip().splitlines()[0] if doc else ""


def _unknown(word: str) -> int:
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    hint = f" Did you mean 'medsnap {close[0]}'?" if close else ""
    print(f"medsnap: unknown command or file {word!r}.{hint} 'medsnap --help' lists the "
          "commands; 'medsnap FILE' opens a picture that exists.", file=sys.stderr)
    return 2


def _admin_flag(argv: list[str]) -> int:
    """Flags on the bare command for installers and admins (owned by packaging)."""
    try:
        if argv[0] == "--show-config":
            from medsnap.cli.show_config import show_config  # with MEDSNAP_ENDPOINT

            return show_config()
        from medsnap.cli.desktop_entry import main as install_desktop_entry

        return install_desktop_entry(argv[1:])
    except MedSnapError as error:
        print(f"medsnap {argv[0]}: {error.message}", file=sys.stderr)
        return error.exit_code
