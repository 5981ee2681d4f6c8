"""Electronic licences (电子证照): issuer keys, status lists, licences, the trust list.

* :class:`IssuerKey`: the platform's signing keys. Public halves here, private halves as
  PEM files in ``settings.LICENCE_KEY_DIR``. An Ed25519 key signs the credentials (Data
  Integrity); an SM2 key adds the national-cryptography signature. A retired key no longer
  signs but still verifies; a revoked (compromised) key verifies nothing.
* :class:`StatusList`: one Bitstring Status List (131,072 entries) for one purpose. Every
  licence holds the same random index in a revocation list and its suspension twin.
  ``published`` is the signed list credential, re-signed in the transaction that changes
  a bit, so the public list is never behind the licences.
* :class:`Licence`: one issued credential (the signed JSON as issued) and its state.
* :class:`TrustedIssuer`: other issuers whose credentials the verifier accepts (长三角
  market regulators, e-ID, e-driving-licence and e-vehicle-licence issuers), with their DID
  documents.

Rows change only through :mod:`yingshang.licences.services` and
:mod:`yingshang.licences.keys`, which write the ledger event in the same transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingshang.registry.models import MarketEntity


class KeyAlgorithm(models.TextChoices):
    ED25519 = "ed25519", _("Ed25519（数据完整性证明）")
    SM2 = "sm2", _("SM2（国密附加签名）")


class IssuerKey(models.Model):
    """签发密钥: ``key_id`` is the DID URL fragment (``did:web:…#<key_id>``)."""

    key_id = models.CharField(_("密钥标识"), max_length=32, unique=True)
    algorithm = models.CharField(_("算法"), max_length=8, choices=KeyAlgorithm.choices)
    public_key = models.BinaryField(_("公钥"), max_length=65)
    created_at = models.DateTimeField(_("创建时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("签发密钥")
        verbose_name_plural = _("签发密钥")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def is_active(self) -> bool:
        return self.retired_at is None and self.revoked_at is None


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("撤销")
    SUSPENSION = "suspension", _("暂停")


class StatusList(models.Model):
    """状态列表: ``list_id`` is the last segment of the list credential's URL."""

    list_id = models.CharField(_("列表标识"), max_length=32, unique=True)
    purpose = models.CharField(_("用途"), max_length=16, choices=StatusPurpose.choices)
    size = models.PositiveIntegerField(_("条目数"))
    bits = models.BinaryField(_("位串"))
    allocated = models.PositiveIntegerField(_("已分配条目数"), default=0)
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    published = models.JSONField(_("已发布的状态列表凭证"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态列表")
        verbose_name_plural = _("状态列表")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.list_id


class LicenceKind(models.TextChoices):
    BUSINESS = "business", _("营业执照")
    INDUSTRY = "industry", _("行业综合许可证")


class LicenceState(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")
    SUPERSEDED = "superseded", _("已换发")


class Licence(models.Model):
    """证照: one signed credential as issued, with its status-list index and state."""

    licence_id = models.CharField(_("证照标识"), max_length=120, unique=True)
    kind = models.CharField(_("证照类型"), max_length=16, choices=LicenceKind.choices)
    entity = models.ForeignKey(
        MarketEntity, on_delete=models.PROTECT, related_name="licences", verbose_name=_("市场主体")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    industry_code = models.CharField(_("行业"), max_length=64, blank=True)
    serial = models.PositiveIntegerField(_("顺序号"))
    version = models.PositiveSmallIntegerField(_("版本"))
    credential = models.JSONField(_("凭证"))
    cryptosuite = models.CharField(_("密码套件"), max_length=32)
    key = models.ForeignKey(
        IssuerKey, on_delete=models.PROTECT, related_name="licences", verbose_name=_("签发密钥")
    )
    sm2_signature = models.JSONField(_("SM2 附加签名"), null=True, blank=True)
    revocation_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+", verbose_name=_("撤销列表")
    )
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+", verbose_name=_("暂停列表")
    )
    status_index = models.PositiveIntegerField(_("状态列表索引"))
    state = models.CharField(
        _("状态"), max_length=16, choices=LicenceState.choices, default=LicenceState.ACTIVE
    )
    state_reason = models.CharField(_("状态原因"), max_length=500, blank=True)
    on_commitment = models.BooleanField(_("告知承诺发证"), default=False)
    valid_from = models.DateTimeField(_("有效期起"))
    valid_until = models.DateTimeField(_("有效期止"), null=True, blank=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.CharField(_("签发人"), max_length=200)
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证照")
        verbose_name_plural = _("证照")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revocation_list", "status_index"], name="licence_status_slot"
            ),
            models.UniqueConstraint(
                fields=["kind", "credit_code", "industry_code", "serial", "version"],
                name="licence_kind_version",
            ),
        ]
        indexes = [models.Index(fields=["credit_code", "kind"], name="licence_entity_kind")]

    def __str__(self) -> str:
        return self.licence_id


class IssuerKind(models.TextChoices):
    MARKET_REGULATOR = "market_regulator", _("市场监管部门（营业执照）")
    ID_CARD = "id_card", _("电子身份证")
    DRIVING_LICENCE = "driving_licence", _("电子驾驶证")
    VEHICLE_LICENCE = "vehicle_licence", _("电子行驶证")


class TrustedIssuer(models.Model):
    """可信签发方: another issuer whose credentials we accept, with its DID document."""

    did = models.CharField(_("DID"), max_length=200, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    region_code = models.CharField(_("所属行政区划"), max_length=6)
    kind = models.CharField(_("类别"), max_length=32, choices=IssuerKind.choices)
    did_document = models.JSONField(_("DID 文档"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("加入时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.CharField(_("最后操作人"), max_length=200)

    class Meta:
        verbose_name = _("可信签发方")
        verbose_name_plural = _("可信签发方")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


# --- 一业一证 and 承诺即入 ---------------------------------------------------------------------


class ApplicationState(models.TextChoices):
    REVIEWING = "reviewing", _("并联审查中")
    APPROVED = "approved", _("已核发")
    REJECTED = "rejected", _("不予许可")


class IndustryApplication(models.Model):
    """行业综合许可申请: one form, one application for an industry's bundle of permits.

    ``conditions`` records, for every condition of every required permit, how it is met:
    ``{"<permit>.<condition>": {"by": "commitment"}}`` or ``{"by": "evidence", "materials":
    [...]}``. Permits met entirely by commitment need no review; the others are reviewed in
    parallel by their departments (:class:`PermitReview`).
    """

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    entity = models.ForeignKey(
        MarketEntity, on_delete=models.PROTECT, related_name="+", verbose_name=_("市场主体")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    industry_code = models.CharField(_("行业"), max_length=64)
    catalogue_version = models.CharField(_("目录版本"), max_length=16)
    form = models.JSONField(_("申请表"))
    permits = models.JSONField(_("所需许可"))
    conditions = models.JSONField(_("条件满足方式"))
    identity = models.JSONField(_("法定代表人身份核验"), null=True, blank=True)
    lead_department = models.CharField(_("牵头部门"), max_length=16)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ApplicationState.choices,
        default=ApplicationState.REVIEWING,
    )
    submitted_by = models.CharField(_("申请人"), max_length=200)
    submitted_at = models.DateTimeField(_("提交时间"))
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("行业综合许可证"),
    )

    class Meta:
        verbose_name = _("行业综合许可申请")
        verbose_name_plural = _("行业综合许可申请")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def uses_commitment(self) -> bool:
        return any(item.get("by") == "commitment" for item in self.conditions.values())


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")
    WAIVED = "waived", _("告知承诺免审")
    CLOSED = "closed", _("已终止")


class PermitReview(models.Model):
    """One department's review of one permit in an application (并联审查)."""

    application = models.ForeignKey(
        IndustryApplication,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("申请"),
    )
    permit_code = models.CharField(_("许可"), max_length=64)
    department_code = models.CharField(_("审查部门"), max_length=16)
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    state = models.CharField(
        _("状态"), max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    opinion = models.CharField(_("审查意见"), max_length=1000, blank=True)
    reviewer = models.CharField(_("审查人"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("审查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("并联审查")
        verbose_name_plural = _("并联审查")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "permit_code"], name="review_permit")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.permit_code}"


class PostCheckState(models.TextChoices):
    SCHEDULED = "scheduled", _("待核查")
    PASSED = "passed", _("核查通过")
    FAILED = "failed", _("核查不通过")


class PostCheck(models.Model):
    """承诺即入的事后核查: checks, by ``due_on``, the conditions met by commitment."""

    application = models.OneToOneField(
        IndustryApplication,
        on_delete=models.PROTECT,
        related_name="post_check",
        verbose_name=_("申请"),
    )
    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="+", verbose_name=_("证照")
    )
    conditions = models.JSONField(_("待核查的承诺条件"))
    due_on = models.DateField(_("核查期限"))
    due_on_estimated = models.BooleanField(
        _("期限按周一至周五估算"),
        default=False,
        help_text=_("节假日安排未公布的年份按周一至周五计算，公布后应复核。"),
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=PostCheckState.choices,
        default=PostCheckState.SCHEDULED,
    )
    findings = models.CharField(_("核查情况"), max_length=1000, blank=True)
    checked_by = models.CharField(_("核查人"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事后核查")
        verbose_name_plural = _("事后核查")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="postcheck_due")]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.due_on}"
