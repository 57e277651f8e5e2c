"""The binding's demo endpoint: started from the sign-in screen, refused where it may not
run, and started again (or a terminal's 'medsnap demo' found) when the one that served a demo
colleague died with its window. Mixed into MessagingBinding (which owns the signals, the
session and the one-thread Jobs); every engine call runs through ``self._run``."""

from __future__ import annotations

from medsnap.messaging.profile import Workstation


class DemoRevival:
    def demo_refused(self, staff_id: str | None = None) -> str:
        """Why the demo may not start here, "" when it may (see ``demo_choice``)."""
        from medsnap.ui.demo_choice import demo_refused

        return demo_refused(self.home, staff_id)

    def demo_colleagues_here(self) -> tuple:
        """The demo colleagues the welcome screen lists: those of a workstation already in
        demo mode, where the demo may run (none before the demo was tried, or with IT's
        endpoint)."""
        if self.demo_refused():
            return ()
        from medsnap.messaging.demo_colleagues import colleagues_here

        return colleagues_here(self.home)

    # a demo that died with the window that served it ------------------------------------
    def _revive_demo_work(self, staff_id: str):
        """Worker side: the demo for a demo colleague, started again here if it died."""
        from medsnap.messaging.demo import DEMO_PORT, revive_demo

        port = DEMO_PORT if self.demo_port is None else self.demo_port
        return revive_demo(self.home, staff_id, port=port, keystore=self.keystore)

    def _demo_gone_offline(self, reason: str) -> None:
        from medsnap.messaging.demo import is_demo_identity

        if reason and is_demo_identity(self.home, self.staff_id):
            self.sync()  # the demo endpoint started again (or found) at once

    def _keep_demo(self, demo) -> None:
        if demo is not None and not demo.already_running:
            self.demo = demo  # served by this window: stopped at shutdown (not another's)

    def sync(self) -> None:
        """Offline under a demo colleague: the demo endpoint back (or a terminal's 'medsnap
        demo' found), the session pointed at it, then the usual sync."""
        from medsnap.messaging.demo import is_demo_identity

        session = self.session
        if session is not None:  # e.g. Keep messages (days), for the inbox's clean-up
            session.user_choices = self.user_choices()
        if not (self.offline and self.is_unlocked and is_demo_identity(self.home,
                                                                       self.staff_id)):
            super().sync()
            return
        if self._reviving:
            return
        self._reviving = True
        revive = self._revive_demo_work

        def work():
            demo = revive(session.staff_id)
            if demo is not None and session.transport.url.rstrip("/") != demo.url:
                from medsnap.messaging.transport import Transport

                old = session.transport
                session.transport = Transport(demo.url, old.client.keys)
                old.close()
            return demo

        def done(demo) -> None:
            self._reviving = False
            self._keep_demo(demo)
            if demo is not None and not demo.already_running:
                self.demo_restarted.emit()
            super(DemoRevival, self).sync()
            self.load_directory()

        def failed(message: str) -> None:
            self._reviving = False
            self.notice.emit(message)

        self._run(work, done, failed, "starting the demo again")

    def start_demo(self, port: int | None = None) -> None:
        from medsnap.messaging.demo import DEMO_PORT, start_demo
        from medsnap.messaging.session import sign_in

        home, keystore = self.home, self.keystore
        port = (DEMO_PORT if self.demo_port is None else self.demo_port) if port is None \
            else port
        refused = self.demo_refused()
        if refused:
            self.auth_failed.emit(refused)
            return

        def work():
            demo = start_demo(home, port=port, keystore=keystore)
            first = demo.colleagues[0]
            return demo, sign_in(Workstation(home), first.staff_id, first.passphrase,
                                 keystore=keystore)

        def done(result) -> None:
            demo = result[0]
            if self.demo is None or not demo.already_running:  # keep the one we serve
                self.demo = demo  # (stopped at shutdown; a reused one is not ours)
            self.demo_started.emit(demo)
            self._signed_in(result[1])

        self._run(work, done, self.auth_failed.emit, "starting the demo")
