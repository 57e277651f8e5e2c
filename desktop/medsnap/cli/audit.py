"""Check (verify) or show the local audit log of this workstation's profile."""

from __future__ import annotations

import argparse

from medsnap.messaging.command_support import add_json_option, print_json, when, workstation


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("verify", "show"),
                        help="verify: detect tampering (exit 1); show: list the events")
    parser.add_argument("--as", dest="staff_id", metavar="STAFF_ID",
                        help="whose log (default: who signed in last here)")
    parser.add_argument("--expect-head", help="a head hash noted earlier (detects truncation)")
    add_json_option(parser)


def _readable(detail: dict) -> str:
    """``key=value`` pairs; times as dates, lists joined (the JSON keeps the raw values)."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, int) and (key.endswith("_time") or key.endswith("_at")):
            value = when(value)
        elif isinstance(value, list):
            value = ",".join(map(str, value))
        parts.append(f"{key}={value}")
    return "  ".join(parts)


def run(args: argparse.Namespace) -> int:
    from medsnap.messaging.audit import AuditLog
    from medsnap.messaging.audit_head import audit_head_for

    desk = workstation()
    profile = desk.current_profile(args.staff_id)
    log = AuditLog(profile.audit_path, audit_head_for(desk, profile.staff_id))
    if args.action == "show":
        entries = log.entries()
        if args.json:
            print_json(entries)
        for entry in [] if args.json else entries:
            print(f"{entry['seq']:>5}  {when(entry['at'])}  {entry['event']:<13} "
                  f"{_readable(entry['detail'])}")
        return 0
    check = log.verify(args.expect_head)
    if args.json:
        print_json({"intact": check.intact, "entries": check.entries, "head": check.head,
                    "head_kept": check.head_kept, "problems": check.problems})
    elif check.intact:
        kept = ("its end matches the head kept in the keyring" if check.head_kept else
                "no head is kept in the keyring: lines cut off the end show only with "
                "--expect-head")
        print(f"Audit log intact: {check.entries} entries, head {check.head}; {kept}.")
    else:
        print("Audit log TAMPERED: " + "; ".join(check.problems))
    return 0 if check.intact else 1
