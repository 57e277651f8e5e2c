"""The ``medsnap-endpoint admin`` subcommands (each prints JSON or PEM on stdout)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from medsnap_endpoint import admin, audit, expiry
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database


def _print(value: object) -> None:
    print(json.dumps(value, indent=2, sort_keys=True))


def _when(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="seconds")


def _init_ca(database: Database, args: argparse.Namespace) -> int:
    sys.stdout.write(admin.init_ca(database, args.name, valid_days=args.valid_days))
    return 0


def _import_root(database: Database, args: argparse.Namespace) -> int:
    sys.stdout.write(admin.import_root(database, Path(args.cert), Path(args.key),
                                       args.key_password))
    return 0


def _add_clinician(database: Database, args: argparse.Namespace) -> int:
    code, expires = admin.add_clinician(
        database, staff_id=args.staff_id, email=args.email, display_name=args.name,
        role=args.role, department=args.department, code_hours=args.code_hours)
    _print({"staff_id": args.staff_id, "enrolment_code": code, "expires_at": _when(expires)})
    return 0


def _new_code(database: Database, args: argparse.Namespace) -> int:
    code, expires = admin.new_code(database, args.staff_id, code_hours=args.code_hours)
    _print({"staff_id": args.staff_id, "enrolment_code": code, "expires_at": _when(expires)})
    return 0


def _disable(database: Database, args: argparse.Namespace) -> int:
    admin.set_enabled(database, args.staff_id, False)
    return 0


def _enable(database: Database, args: argparse.Namespace) -> int:
    admin.set_enabled(database, args.staff_id, True)
    return 0


def _revoke(database: Database, args: argparse.Namespace) -> int:
    _print({"revoked": admin.revoke(database, staff_id=args.staff_id, serial=args.serial)})
    return 0


def _list(database: Database, args: argparse.Namespace) -> int:
    _print(admin.list_clinicians(database))
    return 0


def _export_audit(database: Database, args: argparse.Namespace) -> int:
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            admin.export_audit(database, out)
    else:
        admin.export_audit(database, sys.stdout)
    return 0


def _verify_audit(database: Database, args: argparse.Namespace) -> int:
    result = audit.verify(database, expect_head=args.expect_head)
    _print({"intact": result.intact, "rows": result.rows, "head": result.head,
            "problems": result.problems})
    return 0 if result.intact else 1


def _sweep(database: Database, args: argparse.Namespace) -> int:
    _print(expiry.sweep(database, Settings()))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    def add(name: str, run, help: str) -> argparse.ArgumentParser:  # noqa: A002
        parser = commands.add_parser(name, help=help)
        parser.set_defaults(_run=run)
        return parser

    init = add("init-ca", _init_ca, "create the hospital root CA in the database")
    init.add_argument("--name", required=True, help="the root's common name")
    init.add_argument("--valid-days", type=int, default=3650)
    imp = add("import-root", _import_root, "import an existing root certificate and key (PEM)")
    imp.add_argument("--cert", required=True)
    imp.add_argument("--key", required=True)
    imp.add_argument("--key-password")
    clinician = add("add-clinician", _add_clinician,
                    "add a clinician and print a one-time enrolment code")
    clinician.add_argument("--staff-id", required=True)
    clinician.add_argument("--email", required=True)
    clinician.add_argument("--name", required=True, help="display name")
    clinician.add_argument("--role", default="")
    clinician.add_argument("--department", default="")
    clinician.add_argument("--code-hours", type=int, default=Settings.enrolment_code_hours)
    code = add("new-code", _new_code, "issue a fresh enrolment code (new workstation, lost keys)")
    code.add_argument("staff_id")
    code.add_argument("--code-hours", type=int, default=Settings.enrolment_code_hours)
    add("disable", _disable, "refuse every request of a clinician").add_argument("staff_id")
    add("enable", _enable, "re-enable a clinician").add_argument("staff_id")
    revoke = add("revoke", _revoke, "revoke certificates (listed in the CRL from now on)")
    target = revoke.add_mutually_exclusive_group(required=True)
    target.add_argument("--staff-id")
    target.add_argument("--serial")
    add("list", _list, "list clinicians")
    export = add("export-audit", _export_audit, "write the audit log as JSON lines")
    export.add_argument("--output")
    verify = add("verify-audit", _verify_audit, "check the audit hash chain for tampering")
    verify.add_argument("--expect-head", help="a head hash exported earlier (detects truncation)")
    add("sweep", _sweep, "expire unacknowledged messages and purge old records now")
