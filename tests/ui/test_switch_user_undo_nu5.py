"""After Switch user (from the lock screen too) the next clinician's empty editor offers
nothing of the previous one's picture: Edit ▸ Undo / Redo and the picture's actions are off
(NU5: Undo was on, the previous clinician's history given back with the locked actions)."""

from __future__ import annotations

import pytest
from send_receive_support import no_draft_left, running_ward, signed_in_window
from ui_support import drag


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ann Leaves", "Registrar"), ("Bob Arrives", "Consultant")) as ward:
        yield ward


def _picture_actions_on(window) -> dict[str, bool]:
    actions = window.actions
    named = {"undo": actions.undo, "redo": actions.redo, "save copy": actions.save_copy,
             "preview": actions.preview}
    return {name: action.isEnabled() for name, action in named.items()}


@pytest.mark.parametrize("from_lock_screen", [True, False])
def test_the_next_clinician_gets_no_undo_history(qtbot, make_window, ward, grey_png,
                                                 from_lock_screen):
    from send_receive_support import sign_in_through_first_run

    with signed_in_window(qtbot, make_window, ward, "Ann Leaves", grey_png) as (window, ui):
        drag(window, "rectangle", (40, 40), (140, 110))
        drag(window, "rectangle", (160, 40), (240, 110))
        window.undo_stack.undo()  # something to redo too
        assert window.actions.undo.isEnabled() and window.actions.redo.isEnabled()
        if from_lock_screen:
            with qtbot.waitSignal(ui.binding.locked, timeout=5000):
                ui.binding.lock("idle")
            ui.lock_screen.switch_user_requested.emit()
        else:
            ui.switch_action.trigger()
        assert window.document is None and ui.first_run.isVisible()
        assert ui.binding.wait_for_jobs(10000)  # Ann's draft written
        sign_in_through_first_run(qtbot, ui, ward.staff["Bob Arrives"])
        assert window.undo_stack.count() == 0
        assert not any(_picture_actions_on(window).values()), _picture_actions_on(window)
        ui.drafts.discard()
        # Ann's draft is hers: gone for the next test's sign-in
        from medsnap.messaging.profile import Workstation

        for path in Workstation(ward.home).profile(ward.staff["Ann Leaves"]).drafts_folder \
                .glob("*.age"):
            path.unlink()
        no_draft_left(ui)


def test_just_annotate_after_a_switch_from_the_lock_screen_offers_no_picture_actions(
        qtbot, make_window, ward, grey_png):
    with signed_in_window(qtbot, make_window, ward, "Ann Leaves", grey_png) as (window, ui):
        drag(window, "rectangle", (40, 40), (140, 110))
        with qtbot.waitSignal(ui.binding.locked, timeout=5000):
            ui.binding.lock("idle")
        ui.lock_screen.switch_user_requested.emit()
        ui.first_run.dismiss()  # Just annotate for now
        assert not any(_picture_actions_on(window).values()), _picture_actions_on(window)
        assert ui.binding.wait_for_jobs(10000)
        from medsnap.messaging.profile import Workstation

        for path in Workstation(ward.home).profile(ward.staff["Ann Leaves"]).drafts_folder \
                .glob("*.age"):
            path.unlink()
