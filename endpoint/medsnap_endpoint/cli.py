"""``medsnap-endpoint``: ``serve`` the endpoint, ``admin ...`` it, or ``migrate`` its database."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from pathlib import Path

from medsnap.errors import MedSnapError
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.urls import ENVIRONMENT_VARIABLE, database_url

EXIT_CODES = """exit codes:
  0  success
  1  verify-audit found tampering
  2  usage error
  3  the request could not be carried out (message says why)
  4  the database could not be opened: it does not exist, its driver is not
     installed, or its server refused the connection (message says what to do)
  5  serve: the stored CA key is encrypted and MEDSNAP_ENDPOINT_CA_PASSWORD is
     not set, or does not unlock it (nothing was served)
"""

#: one line of help for each tunable in settings.py (a new one falls back to its name)
SETTING_HELP = {
    "max_message_bytes": "largest message ciphertext accepted, in bytes",
    "max_key_file_bytes": "largest passphrase-wrapped key file a clinician may deposit, in bytes",
    "max_json_bytes": "largest JSON request body, in bytes",
    "max_recipients": "most recipients of one message",
    "retention_seconds": "how long an unacknowledged message waits in a mailbox",
    "metadata_retention_seconds": "how long a message's metadata (for the sender's status "
                                  "queries) outlives its ciphertext",
    "max_clock_skew_seconds": "accepted difference between a request's timestamp and this "
                              "server's clock",
    "requests_per_minute": "signed requests per clinician per minute",
    "public_requests_per_minute": "enrolment and other unauthenticated requests per client "
                                  "address per minute",
    "key_fetches_per_staff_per_hour": "key file fetches per staff id per hour",
    "key_fetches_per_client_per_hour": "key file fetches per client address per hour",
    "enrolment_code_hours": "how long a one-time enrolment code is valid, in hours",
    "challenge_seconds": "how long an enrolment challenge may be answered",
    "certificate_days": "validity of the clinician certificates this endpoint issues, in days",
    "chunk_bytes": "size of the rows message ciphertext is stored in, in bytes",
    "sweep_interval_seconds": "seconds between the expiry sweeps this process runs (0: never)",
    "reclaim_interval_seconds": "PostgreSQL: seconds between this process's VACUUMs of "
                                "deleted message ciphertext, when there is any (0: never, "
                                "leave it to autovacuum)",
    "keep_alive_seconds": "how long an idle keep-alive connection stays open",
    "session_seconds": "how long a session key (POST /v1/session) may sign requests",
    "database_timeout_seconds": "longest a message request waits for PostgreSQL before it is "
                                "refused (503 database_unavailable)",
}

_DURATIONS = ((86400, "day"), (3600, "hour"), (60, "minute"))


def _shown_default(name: str, value: int) -> str:
    """``1209600 (14 days)``, ``52428800 (50 MiB)``: the number to type, and what it means."""
    if name.endswith("_seconds"):
        for size, unit in _DURATIONS:
            if value >= size and value % size == 0:
                count = value // size
                return f"{value} s = {count} {unit}{'s' if count != 1 else ''}"
        return f"{value} s"
    if name.endswith("_bytes"):
        for size, unit in ((1024 * 1024, "MiB"), (1024, "KiB")):
            if value >= size and value % size == 0:
                return f"{value} = {value // size} {unit}"
    return str(value)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="sqlite:///PATH or postgresql://... (default: "
                        f"${ENVIRONMENT_VARIABLE} or sqlite:///medsnap-endpoint.db)")


def _create_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--create-database", action="store_true",
                        help="create a SQLite database that does not exist yet (default: refuse "
                        "it, so a mistyped path is not served as a new, empty endpoint)")


def _add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="serve HTTP(S) with uvicorn",
                                description="Serve the endpoint's HTTP API.", epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.set_defaults(_parser=serve)
    _database_option(serve)
    _create_option(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only; "
                       "0.0.0.0 for every interface)")
    serve.add_argument("--port", type=int, default=8443, help="TCP port (default: 8443)")
    serve.add_argument("--ssl-certfile", metavar="PEM",
                       help="TLS certificate chain for HTTPS (default: none, plain HTTP)")
    serve.add_argument("--ssl-keyfile", metavar="PEM",
                       help="TLS private key for HTTPS (default: none, plain HTTP)")
    for setting in dataclasses.fields(Settings):  # every tunable, declared once in settings.py
        if setting.name == "public_hosts":
            serve.add_argument("--public-host", dest="public_hosts", action="append",
                               default=[], metavar="NAME[:PORT]",
                               help="a name clients address this endpoint by (repeat for "
                               "several); requests signed for any other Host are refused "
                               "(default: none, any Host)")
            continue
        text = SETTING_HELP.get(setting.name, setting.name.replace("_", " "))
        serve.add_argument("--" + setting.name.replace("_", "-"), dest=setting.name, type=int,
                           default=setting.default, metavar="N",
                           help=f"{text} (default: {_shown_default(setting.name, setting.default)})")
    serve.add_argument("--log-level", default="info",
                       choices=["critical", "error", "warning", "info", "debug", "trace"],
                       help="what is logged to standard error: info = a start-up line and one "
                       "per refused request, warning = server errors only (default: info)")
    serve.add_argument("--access-log", action="store_true",
                       help="also log every request served (uvicorn's access log, which "
                       "costs throughput) (default: off)")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medsnap-endpoint", epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="The MedSnap hospital messaging endpoint.")
    parser.set_defaults(_parser=parser)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands)
    migrate = commands.add_parser("migrate", help="bring the database schema up to date",
                                  description="Bring the database schema up to date and "
                                  "print its version (the systemd unit runs it\nbefore each "
                                  "start; stop every serve process first).", epilog=EXIT_CODES,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    migrate.set_defaults(_parser=migrate)
    _database_option(migrate)
    _create_option(migrate)
    admin = commands.add_parser("admin", help="administer clinicians, the CA and the audit log",
                                epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    admin.set_defaults(_parser=admin)
    _database_option(admin)
    from medsnap_endpoint.admin_cli import register

    register(admin.add_subparsers(dest="admin_command", required=True, metavar="COMMAND"))
    return parser


def _parse(argv: list[str] | None) -> argparse.Namespace:
    args, unknown = _build_parser().parse_known_args(argv)
    if unknown:  # said with the usage of the command that was meant, not the top level's
        args._parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from medsnap_endpoint.app import create_app

    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings)}
    values["public_hosts"] = tuple(host.lower() for host in values["public_hosts"])
    settings = Settings(**values)
    if not settings.public_hosts and args.host not in ("127.0.0.1", "::1", "localhost"):
        print("medsnap-endpoint: warning: no --public-host given; signed requests are accepted "
              "whatever Host they were addressed to", file=sys.stderr)
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise SystemExit("medsnap-endpoint serve: give both --ssl-certfile and --ssl-keyfile")
    # open (and migrate) once here so a wrong URL fails with a message, not a traceback
    from medsnap_endpoint.storage import open_database

    from medsnap_endpoint.ca_service import require_unlockable

    url = database_url(args.database)
    if args.create_database:
        _refuse_missing_folder(url)
    database = open_database(url, create=args.create_database)
    try:  # a locked CA key would look healthy and fail every enrolment with "try later"
        require_unlockable(database)
        _warn_if_no_ca(database)
    finally:
        database.close()
    _warn_if_others_can_read(url)
    _refuse_unusable_address(args.host, args.port)
    from medsnap_endpoint import serve_log

    serve_log.configure(args.log_level)
    serve_log.started(host=args.host, port=args.port, database_url=url,
                      tls=bool(args.ssl_certfile))
    uvicorn.run(create_app(url, settings), host=args.host,
                port=args.port, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile,
                log_level=args.log_level, access_log=args.access_log, timeout_graceful_shutdown=5,
                timeout_keep_alive=settings.keep_alive_seconds)
    return 0


def _warn_if_no_ca(database) -> None:
    """Serving before init-ca is allowed (it may follow), but /healthz says ok while every
    enrolment is told to try again later: say it where IT looks."""
    from medsnap_endpoint.ca_service import root_pem
    from medsnap_endpoint.errors import Unavailable

    with database.transaction() as tx:
        try:
            root_pem(tx)
        except Unavailable:
            print("medsnap-endpoint: warning: this database has no certificate authority yet, "
                  "so no clinician can enrol (the app is told to try again later); run "
                  "'medsnap-endpoint admin init-ca --name NAME' on it (docs/ADMIN.md, \"Key "
                  "ceremony\")", file=sys.stderr)


def _refuse_unusable_address(host: str, port: int) -> None:
    """Before the start-up line says "serving": bind where uvicorn will (every address the
    host names, as asyncio does) and let go, so that a port already taken (a second serve,
    say) is said as such rather than as "serving" followed by uvicorn's bind error."""
    import errno
    import socket

    from medsnap_endpoint.errors import ServeRefused

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeRefused(f"--host {host} is not an address this computer can listen on "
                           f"({error.strerror}). Nothing was served. Use 127.0.0.1 (this "
                           "computer only), 0.0.0.0 (every interface) or one of its own "
                           "addresses.") from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    what = (f"another program is already listening on {where} (another "
                            "medsnap-endpoint serve, perhaps: `ss -ltnp` names it)")
                    todo = "Stop it, or give this one another --port"
                elif error.errno == errno.EACCES:
                    what = f"this user may not listen on port {port}"
                    todo = "Use a port above 1023 (the default 8443)"
                else:
                    what = f"{where} cannot be listened on ({error.strerror})"
                    todo = "Check --host and --port"
                raise ServeRefused(f"{what}. Nothing was served. {todo}.") from None


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _refuse_missing_folder(url: str) -> None:
    """A new SQLite file goes into a folder that exists: a mistyped folder is not created."""
    from medsnap_endpoint.errors import DatabaseUnavailable

    path = _sqlite_path(url)
    if path is not None and not path.exists() and not path.absolute().parent.is_dir():
        raise DatabaseUnavailable(
            f"The folder {path.absolute().parent} does not exist, so no database was created "
            f"at {path.absolute()}. Nothing was changed. Check the database address "
            f"(--database or ${ENVIRONMENT_VARIABLE}), or create the folder first "
            "(install -d -m 0750 FOLDER) if it is meant.")


def _one_database(args: argparse.Namespace) -> str:
    """``admin --database URL COMMAND`` or ``admin COMMAND --database URL``: both are meant."""
    given = {value for value in (getattr(args, "database", None),
                                 getattr(args, "database_after_command", None)) if value}
    if len(given) > 1:
        args._parser.error("the database was given twice, differently: "
                           + " and ".join(sorted(given)))
    return database_url(given.pop() if given else None)


def _warn_if_others_can_read(url: str) -> None:
    """A database made before files were created 0600 may still be readable by anybody."""
    path = _sqlite_path(url)
    with contextlib.suppress(OSError):
        if path is not None and path.stat().st_mode & 0o007:
            print(f"medsnap-endpoint: warning: every user of this computer can read {path}, "
                  f"which holds the CA key and the directory; run: chmod 600 {path}",
                  file=sys.stderr)


def _remove_new_database(path: Path) -> None:
    """A command that created the SQLite file and then failed leaves nothing behind."""
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _run_on_database(args: argparse.Namespace) -> int:
    from medsnap_endpoint.storage import open_database

    prepare = getattr(args, "_prepare", None)
    if prepare is not None:  # checks that need no database: a refusal creates nothing
        prepare(args)
    needs_database = getattr(args, "_needs_database", None)
    if needs_database is not None and not needs_database(args):
        return int(args._run(None, args) or 0)
    url = _one_database(args)
    create = bool(getattr(args, "_creates", False) or getattr(args, "create_database", False))
    if create:
        _refuse_missing_folder(url)
    path = _sqlite_path(url)
    new_file = path is not None and create and not os.path.exists(path)
    done = False
    try:
        database = open_database(url, create=create)
        try:
            _warn_if_others_can_read(url)
            if args.command == "migrate":
                from medsnap_endpoint.migrations import current_version

                print(json.dumps({"schema_version": current_version(database)}))
                done = True
                return 0
            status = int(args._run(database, args) or 0)
            done = True
            return status
        finally:
            database.close()
    finally:
        if new_file and not done:
            _remove_new_database(path)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        return _run_on_database(args)
    except MedSnapError as error:
        print(f"medsnap-endpoint: {error.message}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"medsnap-endpoint: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # database drivers' errors past opening, mostly
        if type(error).__module__.startswith(("psycopg", "sqlite3")):
            print(f"medsnap-endpoint: the database could not be used: {error}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    sys.exit(main())
