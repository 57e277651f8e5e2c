"""The ``medsnap`` command: subcommands for every headless flow, the window otherwise.

``medsnap`` alone (or ``medsnap IMAGE``) opens the window. Each subcommand lives in its
own module here, exposing ``register(parser)`` and ``run(args) -> int``; it is imported
only when used, so start-up stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from medsnap.errors import MedSnapError

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

EXIT_CODES = """exit codes:
  0  success
  1  inspect: the file carries metadata
  2  usage error (also: no such colleague or message id, a demo already running)
  3  the input could not be read (corrupt, unsupported, too large)
  4  the output failed the metadata verifier; nothing was written
  5  the output could not be written
  6  encryption, signature or key error
  7  not signed in, no profile or no endpoint configured (messaging)
  8  the endpoint cannot be reached; nothing new was sent or queued (send while
     offline queues and exits 0); the outbox keeps what it held and retries it
  9  the endpoint refused the request (the message says why)
"""


def build_parser(name: str) -> argparse.ArgumentParser:
    module = importlib.import_module(f"medsnap.cli.{COMMANDS[name]}")
    parser = argparse.ArgumentParser(
        prog=f"medsnap {name}",
        description=(module.__doc__ or "").strip().splitlines()[0],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.register(parser)
    parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in ("-h", "--help"):
        print("usage: medsnap [IMAGE]  |  medsnap COMMAND ...\n\ncommands:")
        for name in COMMANDS:
            print(f"  {name}")
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
        return int(args._run(args) or 0)
    except MedSnapError as error:
        print(f"medsnap {argv[0]}: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


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
            from medsnap.config.__main__ import show_config

            return show_config()
        from medsnap.cli.desktop_entry import main as install_desktop_entry

        return install_desktop_entry(argv[1:])
    except MedSnapError as error:
        print(f"medsnap {argv[0]}: {error.message}", file=sys.stderr)
        return error.exit_code
