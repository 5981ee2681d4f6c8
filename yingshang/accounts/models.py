"""Users (用户), their roles, departments (部门) and jurisdictions (辖区)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a user is on the platform. Every official role needs a second factor."""

    PUBLIC = "public", _("社会公众")
    ENTERPRISE = "enterprise", _("企业用户")
    REGISTRATION_OFFICER = "registration_officer", _("登记注册人员")
    LICENSING_OFFICER = "licensing_officer", _("许可审批人员")
    POLICY_OFFICER = "policy_officer", _("政策管理人员")
    KNOWLEDGE_EDITOR = "knowledge_editor", _("知识库编辑")
    SERVICE_AGENT = "service_agent", _("人工客服")
    INSPECTOR = "inspector", _("检查人员")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("执法人员")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核人员")
    LEADER = "leader", _("分管领导")
    AUDITOR = "auditor", _("审计人员")

    @property
    def is_official(self) -> bool:
        return self not in (Role.PUBLIC, Role.ENTERPRISE)


OFFICIAL_ROLES = frozenset(r for r in Role if r.is_official)


class Department(models.Model):
    """A government department (部门), e.g. 市场监督管理局. Officials belong to one."""

    code = models.CharField(_("部门代码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    region_code = models.CharField(_("所属行政区划"), max_length=6)
    # What the department does, as the 一业一证 catalogue names approving departments
    # (SCJG 市场监管, YCZM 烟草专卖, XFJY 消防救援 ...): which permits it reviews.
    function = models.CharField(_("审批职能"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in.

    ``jurisdiction`` is a GB/T 2260 region code that limits what an official sees and does:
    a province code covers the province, a prefecture code its counties, a county code only
    itself. ``entity_credit_code`` binds an enterprise user to the one entity they act for
    (the registry holds the entity; this module sits above it and keeps only the code).
    """

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    jurisdiction = models.CharField(_("辖区"), max_length=6, blank=True)
    entity_credit_code = models.CharField(_("绑定市场主体"), max_length=18, blank=True)
    # The resident ID number proved by real-name verification (实名认证): it makes the user
    # the investor or officer of that number in the register (e.g. to sign a commitment).
    id_number = models.CharField(_("实名认证身份证件号码"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="official_has_department_and_jurisdiction",
                condition=models.Q(role__in=["public", "enterprise"])
                | (models.Q(department__isnull=False) & ~models.Q(jurisdiction="")),
            ),
            models.CheckConstraint(
                name="enterprise_bound_to_entity",
                condition=~models.Q(role="enterprise") | ~models.Q(entity_credit_code=""),
            ),
        ]

    @property
    def is_official(self) -> bool:
        return Role(self.role).is_official

    def __str__(self) -> str:
        return self.display_name or self.username


class Notification(models.Model):
    """通知: a message to an enterprise (every user bound to its credit code sees it).

    Written by the service whose action it reports, in the same transaction; the
    enterprise's own page and inbox read it.
    """

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("发送时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["credit_code", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title
