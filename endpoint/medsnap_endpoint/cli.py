"""``medsnap-endpoint``: ``serve`` the endpoint, ``admin ...`` it, or ``migrate`` its database."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from medsnap.errors import MedSnapError
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.urls import ENVIRONMENT_VARIABLE, database_url

EXIT_CODES = """exit codes:
  0  success
  1  verify-audit found tampering
  2  usage error
  3  the request could not be carried out (message says why)
"""


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="sqlite:///PATH or postgresql://... (default: "
                        f"${ENVIRONMENT_VARIABLE} or sqlite:///medsnap-endpoint.db)")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medsnap-endpoint", epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="The MedSnap hospital messaging endpoint.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve HTTP(S) with uvicorn")
    _database_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--ssl-certfile", help="TLS certificate chain (PEM) for HTTPS")
    serve.add_argument("--ssl-keyfile", help="TLS private key (PEM) for HTTPS")
    for setting in dataclasses.fields(Settings):  # every tunable, declared once in settings.py
        if setting.name == "public_hosts":
            serve.add_argument("--public-host", dest="public_hosts", action="append",
                               default=[], metavar="NAME[:PORT]",
                               help="a name clients address this endpoint by (repeat for "
                               "several); requests signed for any other Host are refused")
            continue
        serve.add_argument("--" + setting.name.replace("_", "-"), dest=setting.name, type=int,
                           default=setting.default, metavar="N")
    serve.add_argument("--log-level", default="warning")
    commands.add_parser("migrate", help="bring the database schema up to date").add_argument(
        "--database", metavar="URL")
    admin = commands.add_parser("admin", help="administer clinicians, the CA and the audit log")
    _database_option(admin)
    from medsnap_endpoint.admin_cli import register

    register(admin.add_subparsers(dest="admin_command", required=True))
    return parser


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

    open_database(database_url(args.database)).close()
    uvicorn.run(create_app(database_url(args.database), settings), host=args.host,
                port=args.port, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile,
                log_level=args.log_level, access_log=False, timeout_graceful_shutdown=5,
                timeout_keep_alive=settings.keep_alive_seconds)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        from medsnap_endpoint.storage import open_database

        database = open_database(database_url(args.database))
        try:
            if args.command == "migrate":
                from medsnap_endpoint.migrations import current_version

                print(json.dumps({"schema_version": current_version(database)}))
                return 0
            return int(args._run(database, args) or 0)
        finally:
            database.close()
    except MedSnapError as error:
        print(f"medsnap-endpoint: {error.message}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"medsnap-endpoint: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # database drivers' connection errors, mostly
        if type(error).__module__.startswith(("psycopg", "sqlite3")):
            print(f"medsnap-endpoint: the database could not be used: {error}", file=sys.stderr)
            return 3
        raise


if __name__ == "__main__":
    sys.exit(main())
