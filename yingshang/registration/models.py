"""Registration models (登记注册): the name index and reservations (in ``name_models``),
and the registration side of establishment, change and simplified deregistration
applications (the 办件 themselves are in ``matters``; entities in ``registry``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .name_models import *  # noqa: F403


class CaseKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("设立登记")
    CHANGE = "change", _("变更登记")
    DEREGISTRATION = "deregistration", _("简易注销登记")


class RegistrationCase(models.Model):
    """登记案件: what the registration checks found on one application, and its result.

    ``findings`` are the automatic checks run at submission, each ``{"code", "severity",
    "field", "message"}`` with severity ``warning`` (an officer must look) — errors never get
    this far, they refuse the submission. ``base_version`` is the entity version a change or
    deregistration was built on (optimistic concurrency). ``automatic`` says the application
    was approved on the automatic path (秒批).
    """

    application = models.OneToOneField(
        "matters.Application",
        on_delete=models.CASCADE,
        related_name="registration_case",
        verbose_name=_("办件"),
    )
    kind = models.CharField(_("登记类型"), max_length=16, choices=CaseKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    base_version = models.PositiveIntegerField(_("依据的登记版本"), null=True, blank=True)
    findings = models.JSONField(_("自动核验结果"), default=list)
    automatic = models.BooleanField(_("自动审批"), default=False)
    checked_at = models.DateTimeField(_("核验时间"))

    class Meta:
        verbose_name = _("登记案件")
        verbose_name_plural = _("登记案件")

    def __str__(self) -> str:
        return f"{self.kind}:{self.application_id}"

    @property
    def warnings(self) -> list[dict[str, str]]:
        return [f for f in self.findings if f.get("severity") == "warning"]


class DeregistrationState(models.TextChoices):
    NOTICE = "notice", _("公告中")
    PENDING_DECISION = "pending_decision", _("待登记机关决定")
    DEREGISTERED = "deregistered", _("已注销")
    TERMINATED = "terminated", _("简易注销程序终止")


OPEN_DEREGISTRATION_STATES = (DeregistrationState.NOTICE, DeregistrationState.PENDING_DECISION)


class Deregistration(models.Model):
    """简易注销: one simplified deregistration of one entity, with its public notice.

    An entity has at most one open (notice or pending decision) at a time. Individual
    businesses (个体工商户) skip the notice: ``notice_starts_on`` stays null.
    """

    number = models.CharField(_("公告编号"), max_length=32, unique=True)
    application = models.OneToOneField(
        "matters.Application",
        on_delete=models.PROTECT,
        related_name="deregistration",
        verbose_name=_("办件"),
    )
    entity = models.ForeignKey(
        "registry.MarketEntity",
        on_delete=models.PROTECT,
        related_name="deregistrations",
        verbose_name=_("市场主体"),
    )
    entity_name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    registration_authority = models.CharField(_("登记机关"), max_length=100)
    region_code = models.CharField(_("住所所在行政区划"), max_length=6)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=DeregistrationState.choices,
        default=DeregistrationState.NOTICE,
    )
    notice_starts_on = models.DateField(_("公告开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公告结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.CharField(_("决定理由"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("简易注销")
        verbose_name_plural = _("简易注销")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"],
                condition=models.Q(state__in=[s.value for s in OPEN_DEREGISTRATION_STATES]),
                name="registration_one_open_deregistration",
            )
        ]
        indexes = [
            models.Index(fields=["state", "notice_ends_on"], name="deregistration_notice"),
        ]

    def __str__(self) -> str:
        return self.number


class Commitment(models.Model):
    """全体投资人承诺书: one investor's signed commitment, on a deregistration application,
    that the debts are settled (signed before the application is submitted)."""

    application = models.ForeignKey(
        "matters.Application",
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("办件"),
    )
    investor_name = models.CharField(_("投资人"), max_length=100)
    investor_identifier = models.CharField(_("证照号码"), max_length=18)
    signature = models.ForeignKey(
        "matters.Signature", on_delete=models.PROTECT, related_name="+", verbose_name=_("签名")
    )
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("投资人承诺")
        verbose_name_plural = _("投资人承诺")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "investor_identifier"],
                name="registration_commitment_once",
            )
        ]

    def __str__(self) -> str:
        return self.investor_name


class ObjectionState(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """异议: filed by anyone during the notice, decided by the registrar."""

    number = models.CharField(_("异议编号"), max_length=32, unique=True)
    deregistration = models.ForeignKey(
        Deregistration,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("简易注销"),
    )
    objector = models.CharField(_("异议人"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    grounds = models.TextField(_("异议理由"))
    filed_at = models.DateTimeField(_("提出时间"))
    state = models.CharField(
        _("处理结果"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.PENDING
    )
    decided_by = models.CharField(_("处理人"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.CharField(_("处理理由"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["deregistration", "filed_at", "id"]

    def __str__(self) -> str:
        return self.number


class OutboundNotice(models.Model):
    """信息推送: a registration fact that other departments pull (tax, social insurance,
    public security for seals, housing fund, banks). Departments read by ``id`` order from
    the last one they have seen."""

    department = models.CharField(_("接收部门"), max_length=16)
    event = models.CharField(_("事件"), max_length=32)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    entity_version = models.PositiveIntegerField(_("登记版本"))
    application_number = models.CharField(_("办件编号"), max_length=32)
    payload = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("信息推送")
        verbose_name_plural = _("信息推送")
        ordering = ["id"]
        indexes = [models.Index(fields=["department", "id"], name="outbound_by_department")]

    def __str__(self) -> str:
        return f"{self.department}:{self.event}:{self.credit_code}"
