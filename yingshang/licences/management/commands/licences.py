"""``yingshang licences verify|issue|rotate-key|revoke-key|did|post-checks|trust-bundle``.

``verify FILE`` reads a credential (JSON) or a QR payload (``YSVC1:…``) from FILE (``-`` for
standard input), prints the verdict check by check, and exits 0 when valid, 1 when not. With
``--bundle`` it trusts only the bundle's issuers and status lists and reads no database:
the offline verification a third party runs.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError
from yingshang.licences import keys, services, trust
from yingshang.licences.dataintegrity import EDDSA_RDFC_2022, SIGNING_SUITES
from yingshang.licences.models import KeyAlgorithm, PostCheck, PostCheckState
from yingshang.licences.verification import Verdict, credential_verify_text

_MARKS = {True: "✓", False: "✗", None: "–"}


class Command(BaseCommand):
    help = "Verify, issue and manage electronic licences and the issuer's keys."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="verify a credential or QR payload file")
        verify.add_argument("file", help="credential JSON or QR payload; - for stdin")
        verify.add_argument("--bundle", help="trust bundle file: verify offline with it")
        verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
        issue = actions.add_parser("issue", help="issue an entity's e-business licence")
        issue.add_argument("credit_code")
        issue.add_argument("--cryptosuite", default=EDDSA_RDFC_2022, choices=sorted(SIGNING_SUITES))
        issue.add_argument("--actor", default="system:cli")
        rotate = actions.add_parser("rotate-key", help="retire the active key, start a new one")
        rotate.add_argument("--algorithm", default="ed25519", choices=KeyAlgorithm.values)
        rotate.add_argument("--actor", default="system:cli")
        revoke = actions.add_parser("revoke-key", help="revoke a compromised key")
        revoke.add_argument("key_id")
        revoke.add_argument("--reason", required=True)
        revoke.add_argument("--actor", default="system:cli")
        actions.add_parser("did", help="print the issuer's DID document")
        checks = actions.add_parser("post-checks", help="list 承诺即入 post-checks to do")
        checks.add_argument("--overdue", action="store_true", help="only those past due")
        bundle = actions.add_parser("trust-bundle", help="write the offline trust bundle")
        bundle.add_argument("--out", default="-", help="file to write; - for stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "verify":
                self._verify(options["file"], bundle=options["bundle"], as_json=options["json"])
            elif action == "issue":
                licence = services.business_licence_issue_as(
                    actor=options["actor"],
                    credit_code=options["credit_code"],
                    cryptosuite=options["cryptosuite"],
                )
                self.stdout.write(_("已签发：%(id)s") % {"id": licence.licence_id})
            elif action == "rotate-key":
                key = keys.issuer_key_rotate(
                    actor=options["actor"], algorithm=KeyAlgorithm(options["algorithm"])
                )
                self.stdout.write(_("新签发密钥已启用：%(key_id)s") % {"key_id": key.key_id})
            elif action == "revoke-key":
                key = keys.issuer_key_revoke(
                    actor=options["actor"], key_id=options["key_id"], reason=options["reason"]
                )
                self.stdout.write(_("签发密钥已吊销：%(key_id)s") % {"key_id": key.key_id})
            elif action == "did":
                self.stdout.write(json.dumps(keys.did_document(), ensure_ascii=False, indent=2))
            elif action == "post-checks":
                self._post_checks(overdue=options["overdue"])
            elif action == "trust-bundle":
                text = json.dumps(trust.trust_bundle(), ensure_ascii=False, indent=2)
                if options["out"] == "-":
                    self.stdout.write(text)
                else:
                    Path(options["out"]).write_text(text + "\n", encoding="utf-8")
                    self.stdout.write(_("信任包已写入 %(path)s") % {"path": options["out"]})
        except DomainError as error:
            raise CommandError(error.message) from error

    def _verify(self, file: str, *, bundle: str | None, as_json: bool) -> None:
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取 %(file)s：%(error)s") % {"file": file, "error": exc}
            ) from exc
        source = trust.BundleTrust.from_file(Path(bundle)) if bundle else None
        verdict = credential_verify_text(data, trust=source)
        if as_json:
            self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(verdict)
        if not verdict.valid:
            raise CommandError(
                _("核验未通过：%(reasons)s")
                % {"reasons": "、".join(reason.value for reason in verdict.reasons)},
                returncode=1,
            )

    def _post_checks(self, *, overdue: bool) -> None:
        today = timezone.localdate()
        checks = PostCheck.objects.filter(state=PostCheckState.SCHEDULED).select_related(
            "application"
        )
        if overdue:
            checks = checks.filter(due_on__lt=today)
        rows = list(checks.order_by("due_on", "id"))
        for check in rows:
            late = _("（已逾期）") if check.due_on < today else ""
            estimated = _("（估算）") if check.due_on_estimated else ""
            self.stdout.write(
                f"{check.due_on}{estimated}{late} {check.application.number} "
                f"{check.application.credit_code} {check.application.industry_code} "
                f"{'、'.join(check.conditions)}"
            )
        self.stdout.write(_("共 %(n)d 项待核查。") % {"n": len(rows)})

    def _print(self, verdict: Verdict) -> None:
        subject = verdict.subject
        if subject.get("entityName"):
            self.stdout.write(
                _("证照：%(name)s（%(code)s）")
                % {"name": subject.get("entityName"), "code": subject.get("creditCode")}
            )
        if verdict.issuer is not None:
            self.stdout.write(
                _("签发方：%(name)s，%(region)s")
                % {"name": verdict.issuer.name, "region": verdict.issuer.region_name}
            )
        for check in verdict.checks:
            reason = f" [{check.reason.value}]" if check.reason else ""
            self.stdout.write(f"{_MARKS[check.ok]} {check.check.value}: {check.message}{reason}")
        self.stdout.write(_("结论：有效") if verdict.valid else _("结论：无效"))
