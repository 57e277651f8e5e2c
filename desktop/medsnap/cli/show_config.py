"""``medsnap --show-config``: every setting in force, where it comes from, whether it is locked.

As ``python -m medsnap.config`` prints them, plus what the command line and the app take
from the environment before any setting: ``MEDSNAP_ENDPOINT`` is the endpoint used (see
messaging.profile.Workstation.endpoint_url), so it is shown as such, not the default.
Above the settings it names where MedSnap looked: the policy source, the data folder and the
key agent's socket folder (with nothing configured an admin otherwise sees only ``default``
and no hint where a policy would go). Below them, a choice this computer account made in the
window's settings that differs is named: the window uses it, the command line does not.
A reader that stops early (``| head -3``) ends the output quietly.
"""

from __future__ import annotations

import logging
import os
import sys

#: setting key -> the environment variable that the messaging code reads before it
ENVIRONMENT_FIRST = {"endpoint_url": "MEDSNAP_ENDPOINT"}


def show_config(stream=None) -> int:
    if stream is None:  # (as every command's output: closed_pipe.quiet_stdout)
        from medsnap.closed_pipe import quiet_stdout

        quiet_stdout()
    stream = stream or sys.stdout
    for line in config_lines():
        print(line, file=stream)
    stream.flush()
    return 0


def config_lines() -> list[str]:
    from medsnap.config.loader import load_config

    # The problems are printed below; keep the logger's last-resort copy off the terminal.
    logging.getLogger("medsnap.config").addHandler(logging.NullHandler())
    config = load_config()
    rows, notes = [], list(f"warning: {problem}" for problem in config.problems)
    for entry in config:
        key = entry.setting.key
        text, locked, source = repr(entry.setting.to_text(entry.value)), entry.locked, entry.source
        variable = ENVIRONMENT_FIRST.get(key)
        if variable and os.environ.get(variable):
            if entry.source != "default":
                notes.append(f"note: {variable} is used instead of {key} {text} from "
                             f"{entry.source}")
            text, locked, source = repr(os.environ[variable]), False, f"environment ({variable})"
        elif variable and entry.source == "default":  # set by nobody: the address kept here
            from medsnap.cli.trusted_root import endpoint_in_use

            url, kept = endpoint_in_use()
            if url:
                text, source = repr(url), kept
        if key == "root_fingerprint":  # IT pinned none: which root is trusted all the same
            from medsnap.cli.trusted_root import trusted_root

            pinned, pinned_source, pin_notes = trusted_root(str(entry.value or ""))
            notes += pin_notes
            if pinned_source:
                text, source = repr(pinned), pinned_source
        rows.append((key, text, locked, source))
    width = max(len(text) for _, text, _, _ in rows)
    lines = where_lines()
    lines += [f"{key:22} {text:{width}}  {'locked' if locked else '      '}  {source}"
              for key, text, locked, source in rows]
    return lines + window_choice_notes(config) + notes


def where_lines() -> list[str]:
    """Where the policy is looked for, where the data and the key agent's sockets live."""
    from medsnap.config.sources import (MACHINE_KEY, POLICY_FILE_ENV, POLICY_KEY,
                                        TomlPolicySource, policy_file_path)
    from medsnap.messaging.agent_socket import runtime_folder
    from medsnap.messaging.profile import HOME_ENV, medsnap_home

    if sys.platform == "win32":
        policy = f"policy:                HKLM\\{POLICY_KEY}, then HKLM\\{MACHINE_KEY}"
    else:
        path = policy_file_path()
        named = f"from {POLICY_FILE_ENV}" if os.environ.get(POLICY_FILE_ENV) else \
            f"{POLICY_FILE_ENV}=PATH names another"
        ignored = TomlPolicySource(path).read().ignored
        found = ("read" if not ignored else f"IGNORED as a whole, none of it applies: {ignored}"
                 ) if path.exists() else "not found: no policy is set"
        policy = f"policy file:           {path}  ({found}; {named})"
    home = medsnap_home()
    named = f"from {HOME_ENV}" if os.environ.get(HOME_ENV) else f"{HOME_ENV}=PATH names another"
    return [policy,
            f"data folder:           {home}  ({named})",
            f"key agent sockets:     {runtime_folder(home)}"]


def window_choice_notes(config) -> list[str]:
    """A note per setting whose value in the window differs: this computer account's choice
    in Edit > Settings (QSettings), which the command line does not read (docs/ADMIN.md)."""
    user = window_user_choices()
    if not user:
        return []
    from medsnap.config.loader import USER_SOURCE, load_config
    from medsnap.messaging.user_choice_limits import lock_timeout_minutes, retention_days

    # a shared login's limits: the lock only shorter, the user's days for opened letters only
    opened, unopened = retention_days(user)
    limited = {"lock_timeout_minutes": lock_timeout_minutes(user), "retention_days": opened}
    notes = []
    for entry in load_config(user):
        key = entry.setting.key
        value = limited.get(key, entry.value)
        if entry.source == USER_SOURCE and value != config[key]:
            text = entry.setting.to_text(value)
            scope = " for letters already opened" if key == "retention_days" and \
                unopened != opened else ""
            notes.append(f"note: the window uses {key} {text!r}{scope}, chosen in its "
                         "Edit > Settings on this computer account; the command line uses "
                         f"{entry.setting.to_text(config[key])!r}")
    return notes


def window_user_choices() -> dict[str, object]:
    """The window's stored choices (QSettings "MedSnap"/"MedSnap", as the app opens them);
    empty when Qt or the store cannot be read: the settings above are still right."""
    try:
        from medsnap.ui.editor_policy import user_settings, user_values
    except ImportError:
        return {}
    return user_values(user_settings())


if __name__ == "__main__":
    sys.exit(show_config())
