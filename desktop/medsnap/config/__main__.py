"""``medsnap --show-config``: print every setting in force, its source and whether it is locked.

Admins use it to check that Group Policy, the MSI's machine defaults or the policy file
reached the app. User preferences live in the window's settings and are not read here.
"""

from __future__ import annotations

import logging
import sys

from medsnap.config.loader import load_config


def show_config(stream=sys.stdout) -> int:
    # The problems are printed below; keep the logger's last-resort copy off the terminal.
    logging.getLogger("medsnap.config").addHandler(logging.NullHandler())
    config = load_config()
    rows = [(e.setting.key, repr(e.setting.to_text(e.value)), e.locked, e.source) for e in config]
    width = max(len(text) for _, text, _, _ in rows)
    for key, text, locked, source in rows:
        print(f"{key:22} {text:{width}}  {'locked' if locked else '      '}  {source}", file=stream)
    for problem in config.problems:
        print(f"warning: {problem}", file=stream)
    return 0


if __name__ == "__main__":
    sys.exit(show_config())
