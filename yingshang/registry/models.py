"""Market entities (市场主体) and the versions every change leaves behind.

:class:`MarketEntity` is the authoritative current record; :class:`EntityVersion` keeps a
snapshot of it after each change, with who made the change and in which application
(办件). Rows change only through :mod:`yingshang.registry.services`, which also keeps the
name search index (:mod:`yingshang.registry.search`) in step and writes the ledger event.
"""

from __future__ import annotations

import functools
import operator

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    """Organisational form (市场主体类型), following the categories SAMR publishes.

    The value is stored; the label is what the public sees. ``uscc_category`` gives the
    second character of the credit code (GB 32100: 1 企业, 2 个体工商户, 3 农民专业合作社).
    """

    LIMITED = "limited", _("有限责任公司")
    LIMITED_NATURAL_PERSON = "limited_np", _("有限责任公司（自然人投资或控股）")
    LIMITED_NATURAL_PERSON_SOLE = "limited_np_sole", _("有限责任公司（自然人独资）")
    LIMITED_LEGAL_PERSON_SOLE = "limited_lp_sole", _("有限责任公司（法人独资）")
    LIMITED_STATE_SOLE = "limited_state_sole", _("有限责任公司（国有独资）")
    JOINT_STOCK = "joint_stock", _("股份有限公司")
    JOINT_STOCK_LISTED = "joint_stock_listed", _("股份有限公司（上市）")
    FOREIGN_LIMITED = "foreign_limited", _("外商投资有限责任公司")
    FOREIGN_JOINT_STOCK = "foreign_joint_stock", _("外商投资股份有限公司")
    FOREIGN_PARTNERSHIP = "foreign_partnership", _("外商投资合伙企业")
    STATE_OWNED = "state_owned", _("全民所有制企业")
    COLLECTIVE = "collective", _("集体所有制企业")
    SOLE_PROPRIETORSHIP = "sole_proprietorship", _("个人独资企业")
    GENERAL_PARTNERSHIP = "general_partnership", _("普通合伙企业")
    LIMITED_PARTNERSHIP = "limited_partnership", _("有限合伙企业")
    BRANCH = "branch", _("分公司（分支机构）")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    FARMERS_COOPERATIVE = "farmers_cooperative", _("农民专业合作社")

    @property
    def uscc_category(self) -> str:
        if self is EntityType.INDIVIDUAL_BUSINESS:
            return "2"
        if self is EntityType.FARMERS_COOPERATIVE:
            return "3"
        return "1"

    @property
    def is_branch(self) -> bool:
        return self is EntityType.BRANCH


class EntityStatus(models.TextChoices):
    """Registration status (登记状态). Transitions are in :data:`STATUS_ALLOWED_FROM`."""

    ACTIVE = "active", _("存续")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    MOVED_OUT = "moved_out", _("迁出")


# For each target status, the statuses an entity may move to it from. 存续 is reached again
# only by moving back in (迁入); 吊销 leads only to 注销; 注销 is final.
STATUS_ALLOWED_FROM: dict[EntityStatus, frozenset[EntityStatus]] = {
    EntityStatus.ACTIVE: frozenset({EntityStatus.MOVED_OUT}),
    EntityStatus.REVOKED: frozenset({EntityStatus.ACTIVE}),
    EntityStatus.CANCELLED: frozenset({EntityStatus.ACTIVE, EntityStatus.REVOKED}),
    EntityStatus.MOVED_OUT: frozenset({EntityStatus.ACTIVE}),
}


class Currency(models.TextChoices):
    """Currency of the registered capital (注册资本币种)."""

    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    JPY = "JPY", _("日元")
    HKD = "HKD", _("港元")
    GBP = "GBP", _("英镑")
    SGD = "SGD", _("新加坡元")


class ChangeKind(models.TextChoices):
    """What produced a version."""

    REGISTERED = "registered", _("设立登记")
    CHANGED = "changed", _("变更登记")
    STATUS = "status", _("状态变更")


class MarketEntity(models.Model):
    """市场主体: a registered enterprise, individual business or cooperative.

    Money is in 万元 (ten thousand units of ``capital_currency``; revenue in 万元 RMB).
    ``business_term_end`` null means 长期 (no fixed term). ``version`` starts at 1 and grows
    by one with every change (optimistic concurrency: a change names the version it read).
    """

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    name = models.CharField(_("名称"), max_length=100)
    entity_type = models.CharField(_("类型"), max_length=32, choices=EntityType.choices)
    legal_representative = models.CharField(_("法定代表人（负责人、经营者）"), max_length=50)
    # Stored in full for officials; every public view shows id_number_mask() of it.
    legal_representative_id_number = models.CharField(_("法定代表人身份证件号码"), max_length=18)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    capital_currency = models.CharField(
        _("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    established_on = models.DateField(_("成立日期"))
    business_term_start = models.DateField(_("营业期限自"), null=True, blank=True)
    business_term_end = models.DateField(_("营业期限至"), null=True, blank=True)
    region_code = models.CharField(_("住所所在行政区划"), max_length=6)
    address = models.CharField(_("住所（经营场所）"), max_length=200)
    # Not indexed: industry is read in batch (matching, statistics), never looked up alone.
    industry_code = models.CharField(_("国民经济行业（小类）"), max_length=4)
    business_scope = models.TextField(_("经营范围"))
    registration_authority = models.CharField(_("登记机关"), max_length=100)
    status = models.CharField(
        _("登记状态"), max_length=16, choices=EntityStatus.choices, default=EntityStatus.ACTIVE
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人数"), default=0)
    annual_revenue = models.DecimalField(
        _("上年度营业收入（万元）"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    is_small_micro = models.BooleanField(_("小微企业"), default=False)
    parent_credit_code = models.CharField(
        _("隶属企业统一社会信用代码"), max_length=18, blank=True, default=""
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        # A separate unique index (not an inline UNIQUE): the bulk seed drops and rebuilds it.
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="registry_entity_credit_code"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="registry_entity_version_positive"
            ),
            # An OR chain rather than IN: SQLite rebuilds an IN list for every inserted row,
            # which costs a third of the bulk-load time of this table.
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_, (models.Q(status=value) for value in EntityStatus.values)
                ),
                name="registry_entity_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(business_term_end__isnull=True)
                | models.Q(business_term_start__isnull=True)
                | models.Q(business_term_end__gte=models.F("business_term_start")),
                name="registry_entity_term_ordered",
            ),
        ]
        # Explicit indexes rather than db_index=True, which on PostgreSQL adds a second
        # "_like" index per column. The pattern operator classes (PostgreSQL only; other
        # databases ignore them) compare bytes: equality and prefix LIKE are served, and the
        # build sorts by memcmp instead of the locale's collation.
        indexes = [
            models.Index(
                fields=["name"], name="registry_entity_name", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["region_code"],
                name="registry_entity_region",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["parent_credit_code"],
                name="registry_entity_parent",
                condition=~models.Q(parent_credit_code=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    @property
    def entity_type_label(self) -> str:
        return str(EntityType(self.entity_type).label)

    @property
    def status_label(self) -> str:
        return str(EntityStatus(self.status).label)


_MEMBER_LABELS = {"investors": _("投资人（股东）及出资"), "officers": _("主要人员")}


def field_label(field: str) -> str:
    """The Chinese name of a MarketEntity field (or of its investors and officers), as
    forms, messages and history show it."""
    if field in _MEMBER_LABELS:
        return str(_MEMBER_LABELS[field])
    model_field = MarketEntity._meta.get_field(field)
    return str(getattr(model_field, "verbose_name", field))


class EntityVersion(models.Model):
    """主体版本: the entity as it stood after one change, who made it and why.

    ``snapshot`` holds every field of :class:`MarketEntity` (JSON, dates as ISO text,
    money as decimal text). ``snapshot_digest`` is the SHA-256 of ``salt`` followed by the
    snapshot's canonical JSON; the ledger event of the change carries the same digest, so
    the stored snapshot can be proved unchanged without publishing the personal data in it
    (the salt keeps the ID number from being guessed from the digest).
    """

    entity = models.ForeignKey(
        MarketEntity, verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField(_("版本"))
    kind = models.CharField(_("变更类型"), max_length=16, choices=ChangeKind.choices)
    snapshot = models.JSONField(_("快照"))
    changed_fields = models.JSONField(_("变更事项"), default=list)
    snapshot_salt = models.CharField(_("快照盐值"), max_length=32)
    snapshot_digest = models.CharField(_("快照摘要（SHA-256）"), max_length=64)
    actor = models.CharField(_("操作者"), max_length=200)
    application_ref = models.CharField(_("关联办件"), max_length=64, null=True, blank=True)  # noqa: DJ001
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("主体版本")
        verbose_name_plural = _("主体版本")
        ordering = ["entity_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "version"], name="registry_version_entity_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} v{self.version}"


class InvestorKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


class Investor(models.Model):
    """投资人: a shareholder (股东), partner (合伙人) or sole investor, with the contribution
    subscribed (认缴出资, 万元 of the entity's currency) and the date it must be paid by.

    ``identifier`` is the resident ID number of a person or the credit code of an
    organisation. The rows are replaced as a whole by a change and kept in each version's
    snapshot.
    """

    entity = models.ForeignKey(
        MarketEntity, on_delete=models.CASCADE, related_name="investors", verbose_name=_("市场主体")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("投资人名称（姓名）"), max_length=100)
    kind = models.CharField(_("投资人类型"), max_length=16, choices=InvestorKind.choices)
    identifier = models.CharField(_("证照号码"), max_length=18)
    subscribed_capital = models.DecimalField(
        _("认缴出资额（万元）"), max_digits=18, decimal_places=4
    )
    contribution_due_on = models.DateField(_("认缴出资期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("投资人")
        verbose_name_plural = _("投资人")
        ordering = ["entity_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "position"], name="registry_investor_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OfficerPost(models.TextChoices):
    """职务 of a registered officer (主要人员)."""

    CHAIR = "chair", _("董事长")
    EXECUTIVE_DIRECTOR = "executive_director", _("执行董事")
    DIRECTOR = "director", _("董事")
    SUPERVISOR = "supervisor", _("监事")
    MANAGER = "manager", _("经理")
    MANAGING_PARTNER = "managing_partner", _("执行事务合伙人")
    FINANCE = "finance", _("财务负责人")
    LIAISON = "liaison", _("联络员")


class Officer(models.Model):
    """主要人员: directors, supervisors, managers, the managing partner."""

    entity = models.ForeignKey(
        MarketEntity, on_delete=models.CASCADE, related_name="officers", verbose_name=_("市场主体")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=32, choices=OfficerPost.choices)
    id_number = models.CharField(_("身份证件号码"), max_length=18)

    class Meta:
        verbose_name = _("主要人员")
        verbose_name_plural = _("主要人员")
        ordering = ["entity_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "position"], name="registry_officer_position")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class RestrictionKind(models.TextChoices):
    """What stands in the way of a simplified deregistration (简易注销), recorded by the
    authority that imposed it (supervision, enforcement, courts through the registrar)."""

    ABNORMAL_OPERATION = "abnormal_operation", _("列入经营异常名录")
    ENFORCEMENT_PENDING = "enforcement_pending", _("存在未办结的行政处罚案件")
    EQUITY_FROZEN = "equity_frozen", _("股权（财产份额）被冻结")
    EQUITY_PLEDGED = "equity_pledged", _("股权（财产份额）已出质")


class Restriction(models.Model):
    """登记限制: a standing fact about an entity (on the abnormal-operation list, a pending
    enforcement case, frozen or pledged equity) until it is lifted."""

    entity = models.ForeignKey(
        MarketEntity,
        on_delete=models.PROTECT,
        related_name="restrictions",
        verbose_name=_("市场主体"),
    )
    kind = models.CharField(_("类型"), max_length=32, choices=RestrictionKind.choices)
    authority = models.CharField(_("作出机关"), max_length=100)
    reference = models.CharField(_("文书编号"), max_length=100)
    since = models.DateField(_("起始日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    recorded_by = models.CharField(_("记录人"), max_length=200)
    recorded_at = models.DateTimeField(_("记录时间"))
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lifted_by = models.CharField(_("解除人"), max_length=200, blank=True, default="")
    lift_reason = models.CharField(_("解除理由"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("登记限制")
        verbose_name_plural = _("登记限制")
        ordering = ["entity_id", "since", "id"]
        indexes = [models.Index(fields=["entity", "lifted_on"], name="registry_restriction_open")]

    def __str__(self) -> str:
        return f"{self.entity_id}:{self.kind}"
