"""The light tool catalogue the window starts from says what the real tools say."""

from __future__ import annotations

import subprocess
import sys

from medsnap.document.tools import TOOLS
from medsnap.ui.tool_catalogue import TOOLS as CATALOGUE


def test_catalogue_matches_the_tools_in_order_and_in_every_field():
    real = [(i.tool_id, i.key, i.label, i.size_kind, i.cls.styled, i.cls.hint) for i in TOOLS]
    assert [tuple(entry) for entry in CATALOGUE] == real


def test_the_editor_window_module_loads_without_the_document_model():
    code = ("import sys, medsnap.ui.main_window, medsnap.ui.tool_bar;"
            "print(sorted(m for m in sys.modules if m.startswith('medsnap.document')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
