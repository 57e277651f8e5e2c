"""``medsnap --show-config``: every setting in force, where it comes from, whether it is locked.

As ``python -m medsnap.config`` prints them, plus what the command line and the app take
from the environment before any setting: ``MEDSNAP_ENDPOINT`` is the endpoint used (see
messaging.profile.Workstation.endpoint_url), so it is shown as such, not the default.
"""

from __future__ import annotations

import logging
import os
import sys

#: setting key -> the environment variable that the messaging code reads before it
ENVIRONMENT_FIRST = {"endpoint_url": "MEDSNAP_ENDPOINT"}


def show_config(stream=None) -> int:
    from medsnap.config.loader import load_config

    stream = stream or sys.stdout
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
        rows.append((key, text, locked, source))
    width = max(len(text) for _, text, _, _ in rows)
    for key, text, locked, source in rows:
        print(f"{key:22} {text:{width}}  {'locked' if locked else '      '}  {source}",
              file=stream)
    for note in notes:
        print(note, file=stream)
    return 0
