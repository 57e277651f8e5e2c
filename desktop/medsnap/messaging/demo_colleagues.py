"""The demo's three colleagues: fixed, public identities whose passphrases are shown on screen
by design. Apart from :mod:`.demo` (which needs the endpoint's code) so that the welcome screen
can list them without loading it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medsnap.messaging.profile import Workstation


@dataclass(frozen=True)
class DemoColleague:
    staff_id: str
    name: str
    role: str
    department: str
    passphrase: str


#: fixed, public demo identities (the passphrases are printed on screen by design)
COLLEAGUES = (
    DemoColleague("demo.ada", "Dr Ada Okafor", "Consultant", "Cardiology",
                  "amber kettle sings 7 tunes"),
    DemoColleague("demo.ben", "Dr Ben Hughes", "Registrar", "Emergency",
                  "violet harbour naps 3 times"),
    DemoColleague("demo.chloe", "Chloe Martin", "Ward Sister", "Respiratory",
                  "silver orchard hums 5 songs"),
)


def colleagues_here(home: Path) -> tuple[DemoColleague, ...]:
    """The demo colleagues of a workstation in demo mode; none anywhere else."""
    try:
        in_demo = Workstation(home).read().get("demo")
    except Exception:  # a damaged workstation file: signing in reports it in its own words
        return ()
    return COLLEAGUES if in_demo else ()
