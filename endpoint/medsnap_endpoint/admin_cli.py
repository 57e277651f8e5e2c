"""The ``medsnap-endpoint admin`` subcommands (each prints JSON or PEM on stdout)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from medsnap_endpoint import admin, audit, ca_service, expiry
from medsnap_endpoint.errors import AdminError
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database
from medsnap_endpoint.storage.urls import DEFAULT_DATABASE_URL, ENVIRONMENT_VARIABLE


def _print(value: object) -> None:
    print(json.dumps(value, indent=2, sort_keys=True))


def _when(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="seconds")


def _check_key_protection(args: argparse.Namespace) -> None:
    """Before the database is opened: refuse an unencrypted root key unless asked for."""
    if ca_service.key_password(unencrypted_key=args.insecure_unencrypted_key) is None:
        print("medsnap-endpoint: warning: the root CA key is stored UNENCRYPTED in the database "
              f"({ca_service.PASSWORD_VARIABLE} is not set): anyone who can read the database "
              "or a backup of it can issue certificates. Use it for a trial only.",
              file=sys.stderr)


def _init_ca(database: Database, args: argparse.Namespace) -> int:
    sys.stdout.write(admin.init_ca(database, args.name, valid_days=args.valid_days,
                                   unencrypted_key=args.insecure_unencrypted_key))
    return 0


def _import_root(database: Database, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n") if args.key_password_stdin else None
    sys.stdout.write(admin.import_root(database, Path(args.cert), Path(args.key), password,
                                       unencrypted_key=args.insecure_unencrypted_key))
    return 0


def _add_clinician(database: Database, args: argparse.Namespace) -> int:
    code, expires = admin.add_clinician(
        database, staff_id=args.staff_id, email=args.email, display_name=args.name,
        role=args.role, department=args.department, code_hours=args.code_hours)
    _print({"staff_id": args.staff_id, "enrolment_code": code, "expires_at": _when(expires)})
    return 0


def _new_code(database: Database, args: argparse.Namespace) -> int:
    code, expires = admin.new_code(database, args.staff_id, code_hours=args.code_hours)
    _print({"staff_id": args.staff_id, "enrolment_code": code, "expires_at": _when(expires),
            "earlier_codes": "no longer valid (this one replaces any not yet used)"})
    return 0


def _disable(database: Database, args: argparse.Namespace) -> int:
    was_enabled = admin.set_enabled(database, args.staff_id, False)
    _print({"staff_id": args.staff_id, "enabled": False, "changed": was_enabled,
            "effect": "every request from their devices is refused until 'enable "
                      f"{args.staff_id}', and any enrolment code not yet used is withdrawn"
                      if was_enabled else "was already disabled"})
    return 0


def _enable(database: Database, args: argparse.Namespace) -> int:
    was_enabled = admin.set_enabled(database, args.staff_id, True)
    _print({"staff_id": args.staff_id, "enabled": True, "changed": not was_enabled,
            "effect": "was already enabled" if was_enabled else
                      "their enrolled devices are served again"})
    return 0


def _revoke(database: Database, args: argparse.Namespace) -> int:
    count = admin.revoke(database, staff_id=args.staff_id, serial=args.serial,
                         reason=args.reason)
    _print({"revoked": count})
    if args.staff_id:
        print(f"medsnap-endpoint: any enrolment code of {args.staff_id} not yet used was "
              "withdrawn too; 'new-code' gives a new one.", file=sys.stderr)
    if count == 0:  # said, not only counted: a mistyped serial would otherwise look done
        which = (f"serial {args.serial} is not a certificate this endpoint issued, or it was "
                 "already revoked (check the serial: 'admin list' shows each certificate's, "
                 "and whether it is revoked)" if args.serial else
                 f"{args.staff_id} has no certificate that is not already revoked (never "
                 "enrolled, or revoked before)")
        print(f"medsnap-endpoint: nothing was revoked: {which}.", file=sys.stderr)
    return 0


def _list(database: Database, args: argparse.Namespace) -> int:
    clinicians = admin.list_clinicians(database)
    for certificate in (c for clinician in clinicians for c in clinician["certificates"]):
        for name in ("issued_at", "not_after", "revoked_at"):
            if certificate[name] is not None:
                certificate[name] = _when(certificate[name])
    _print(clinicians)
    return 0


def _refuse_existing_output(args: argparse.Namespace) -> None:
    """Before the database is opened: an earlier export is not overwritten by mistake."""
    if args.output and not args.force and os.path.lexists(args.output):
        raise AdminError(f"{args.output} exists already, so nothing was exported and it was "
                         "left as it was. Choose another file name, or add --force to "
                         "replace it.")


def _export_audit(database: Database, args: argparse.Namespace) -> int:
    if not args.output:
        count, head = admin.export_audit(database, sys.stdout)
        print(f"Exported {count} entries; head {head} (keep it: verify-audit --expect-head "
              f"{head})", file=sys.stderr)
        return 0
    # it names staff: readable by its owner only (mkstemp makes it 0600); written beside the
    # target and moved over it once complete, so a failed export (or --force) never leaves
    # the previous export emptied or half written, and a symlink there is replaced, not followed
    target = os.path.abspath(args.output)
    descriptor, partial = tempfile.mkstemp(prefix=".export-audit-",
                                           dir=os.path.dirname(target))
    try:
        with open(descriptor, "w", encoding="utf-8") as out:
            count, head = admin.export_audit(database, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        os.unlink(partial)
        raise
    print(f"Exported {count} entries to {args.output}; head {head} "
          f"(keep it: verify-audit --expect-head {head})")
    return 0


def _verify_audit(database: Database | None, args: argparse.Namespace) -> int:
    if args.input:  # an export kept elsewhere: no database is opened
        result = audit.verify_export(Path(args.input), expect_head=args.expect_head)
    else:
        result = audit.verify(database, expect_head=args.expect_head)  # type: ignore[arg-type]
    _print({"intact": result.intact, "rows": result.rows, "head": result.head,
            "problems": result.problems})
    return 0 if result.intact else 1


def _new_endpoint_id(database: Database, args: argparse.Namespace) -> int:
    _print(admin.new_endpoint_id(database))
    return 0


def _sweep(database: Database, args: argparse.Namespace) -> int:
    _print(expiry.sweep(database, Settings(
        metadata_retention_seconds=args.metadata_retention_seconds)))
    return 0


def _code_hours(text: str) -> int:
    """``--code-hours``: a code valid for 0 hours (or fewer) expired before it is handed over."""
    try:
        hours = int(text)
    except ValueError:
        hours = 0
    if hours < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of hours the code stays valid: give a whole number, "
            f"1 or more (default {Settings.enrolment_code_hours}); nothing was changed")
    return hours


def _serial(text: str) -> str:
    """``--serial``: decimal as stored (as ``admin list`` and the audit log show it), or
    ``0x``-prefixed hex; anything else would match no certificate and revoke nothing."""
    value = text.strip()
    if value.isdigit():
        return str(int(value))
    if value.lower().startswith("0x"):
        try:
            return str(int(value[2:], 16))
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a certificate serial number: give it in decimal, as 'admin list' "
        "shows it (serial), or in hex with 0x before it (serial_hex there; openssl "
        "prints serials in hex, e.g. serial=056ED5... is --serial 0x056ED5...); nothing was "
        "revoked")


def _staff_id_arguments(parser: argparse.ArgumentParser) -> None:
    """The staff id, as ``COMMAND C123`` or ``COMMAND --staff-id C123`` (both are accepted)."""
    parser.add_argument("staff_id", nargs="?", metavar="STAFF_ID", help="the clinician's staff id")
    parser.add_argument("--staff-id", dest="staff_id_option", metavar="STAFF_ID",
                        help="the same, given as an option")


def _one_staff_id(args: argparse.Namespace, *, required: bool = True) -> None:
    given = {value for value in (args.staff_id, args.staff_id_option) if value}
    if len(given) > 1:
        args._parser.error("the staff id was given twice, differently: "
                           + " and ".join(sorted(given)))
    args.staff_id = given.pop() if given else None
    if required and not args.staff_id:
        command = args.admin_command
        args._parser.error(f"name the clinician: {command} C123 (or {command} --staff-id C123)")


def _one_revocation_target(args: argparse.Namespace) -> None:
    _one_staff_id(args, required=False)
    if bool(args.staff_id) == bool(args.serial):
        args._parser.error("name either a staff id (revoke C123, or --staff-id C123) or a "
                           "certificate --serial, not both")


def register(commands: argparse._SubParsersAction) -> None:
    def add(name: str, run, help: str, *, prepare=None,  # noqa: A002
            creates: bool = False) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help, description=help[:1].upper() + help[1:])
        parser.set_defaults(_run=run, _parser=parser, _prepare=prepare, _creates=creates)
        # also after the command's name, as docs/ADMIN.md shows it (cli.py reconciles the two)
        parser.add_argument("--database", dest="database_after_command", metavar="URL",
                            help="sqlite:///PATH or postgresql://... (the same as "
                            "'admin --database URL COMMAND'; default: "
                            f"${ENVIRONMENT_VARIABLE} or {DEFAULT_DATABASE_URL})")
        return parser

    def key_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--insecure-unencrypted-key", action="store_true",
                            help=f"store the root key in clear when {ca_service.PASSWORD_VARIABLE}"
                            " is not set (a throwaway trial only; default: refuse)")

    init = add("init-ca", _init_ca, "create the hospital root CA (and, for SQLite, the database)",
               prepare=_check_key_protection, creates=True)
    init.add_argument("--name", required=True, help="the root's common name")
    init.add_argument("--valid-days", type=int, default=3650,
                      help="validity of the root certificate (default: 3650)")
    key_options(init)
    imp = add("import-root", _import_root, "import an existing root certificate and key (PEM) "
              "instead of init-ca", prepare=_check_key_protection, creates=True)
    imp.add_argument("--cert", required=True, help="the root certificate (PEM file)")
    imp.add_argument("--key", required=True, help="its private key (PEM file)")
    # from stdin, never an argument: other users on the server can read a process's arguments
    imp.add_argument("--key-password-stdin", action="store_true",
                     help="read the key file's password (if it has one) from the first line "
                          "of standard input")
    key_options(imp)
    clinician = add("add-clinician", _add_clinician,
                    "add a clinician and print a one-time enrolment code",
                    prepare=_one_staff_id)
    _staff_id_arguments(clinician)
    clinician.add_argument("--email", required=True, help="their e-mail address")
    clinician.add_argument("--name", required=True, help="display name")
    clinician.add_argument("--role", default="", help="e.g. Registrar (default: none)")
    clinician.add_argument("--department", default="", help="e.g. Cardiology (default: none)")
    code_hours = dict(type=_code_hours, default=Settings.enrolment_code_hours,
                      help="hours the enrolment code stays valid (default: "
                      f"{Settings.enrolment_code_hours})")
    clinician.add_argument("--code-hours", **code_hours)
    code = add("new-code", _new_code,
               "issue a fresh enrolment code (new workstation, lost keys); enrolling with it "
               "supersedes the old certificates (stolen keys: also revoke --reason "
               "key-compromise)", prepare=_one_staff_id)
    _staff_id_arguments(code)
    code.add_argument("--code-hours", **code_hours)
    _staff_id_arguments(add("disable", _disable, "refuse every request of a clinician",
                            prepare=_one_staff_id))
    _staff_id_arguments(add("enable", _enable, "re-enable a clinician", prepare=_one_staff_id))
    revoke = add("revoke", _revoke, "revoke certificates (listed in the CRL from now on)",
                 prepare=_one_revocation_target)
    _staff_id_arguments(revoke)
    revoke.add_argument("--serial", type=_serial,
                        help="one certificate's serial number: decimal, as 'admin list' "
                        "shows it, or hex with 0x before it (as openssl prints it)")
    revoke.add_argument("--reason", choices=("key-compromise", "left", "superseded"),
                        help="written into the CRL: key-compromise (a lost or stolen device: "
                             "letters it signed are refused even if they arrived before; also "
                             "raises an earlier revocation's reason), left (a leaver: letters "
                             "that arrived before still open, with a caution), superseded (new "
                             "keys); default unspecified, treated as the worst case")
    add("list", _list, "list clinicians")
    export = add("export-audit", _export_audit, "write the audit log as JSON lines and "
                 "print its head hash (for verify-audit --expect-head)",
                 prepare=_refuse_existing_output)
    export.add_argument("--output", help="file to write, created readable by its owner only "
                        "(mode 0600; default: standard output, the summary on standard error)")
    export.add_argument("--force", action="store_true",
                        help="replace the --output file if it exists (default: refuse)")
    verify = add("verify-audit", _verify_audit, "check the audit hash chain for tampering "
                 "(exit 1 if it was tampered with)")
    verify.add_argument("--expect-head", help="a head hash exported earlier (detects truncation)")
    verify.add_argument("--input", metavar="FILE", help="check a file export-audit wrote (a "
                        "copy kept elsewhere) instead of the database, which is not opened")
    verify.set_defaults(_needs_database=lambda args: not args.input)
    sweep = add("sweep", _sweep, "expire unacknowledged messages and purge old records now")
    sweep.add_argument("--metadata-retention-seconds", type=int, metavar="SECONDS",
                       default=Settings.metadata_retention_seconds,
                       help="how long a message's metadata outlives its ciphertext: give what "
                       "serve was given (default %(default)s, 30 days)")
    add("new-endpoint-id", _new_endpoint_id, "give this endpoint a new random identity: "
        "sessions opened before are refused once serve restarts (after restoring another "
        "endpoint's backup)")
