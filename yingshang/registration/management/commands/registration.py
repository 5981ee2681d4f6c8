"""``yingshang registration conclude`` and ``yingshang registration notices``.

``conclude`` is the registrar's daily rule: every simplified deregistration whose 20-day
notice has ended with no objection pending or upheld is deregistered (status 注销, licence
revoked); one with objections still open waits for the registrar's decision. ``notices``
lists the notices now running.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from yingshang.registration.selectors import notices_current
from yingshang.registration.services import deregistrations_conclude


class Command(BaseCommand):
    help = "Registration: conclude ended deregistration notices, list running notices."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("conclude", help="deregister entities whose notice ended cleanly")
        notices = actions.add_parser("notices", help="list the deregistration notices running")
        notices.add_argument("--q", default="", help="part of the name or the credit code")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "conclude":
            done = deregistrations_conclude()
            for number in done:
                self.stdout.write(number)
            self.stdout.write(_("已注销 %(n)d 户（公告期满无异议）。") % {"n": len(done)})
            return
        page = 1
        while rows := notices_current(q=options["q"], page=page):
            for row in rows:
                self.stdout.write(
                    f"{row.number}\t{row.credit_code}\t{row.entity_name}\t"
                    f"{row.notice_starts_on}→{row.notice_ends_on}"
                )
            page += 1
