"""Applications (办件): one lifecycle for every matter and every channel.

The matters themselves (事项 and their service guides) are shipped data
(:mod:`yingshang.matters.catalogue`); an application names its matter and situation by
code. Rows change only through :mod:`yingshang.matters.services`, which checks the
transition, writes a :class:`Transition` and the ledger event in one transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ONLINE = "online", _("网上办理")
    COUNTER = "counter", _("窗口办理")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    UNDER_REVIEW = "under_review", _("审查中")
    CORRECTIONS = "corrections", _("待补正")
    APPROVED = "approved", _("准予")
    REJECTED = "rejected", _("不予准予")
    COMPLETED = "completed", _("办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """办件: one request for one matter (situation), through one channel."""

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    matter_code = models.CharField(_("事项编码"), max_length=64)
    situation_code = models.CharField(_("情形"), max_length=64, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    applicant = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    data = models.JSONField(_("申请内容"), default=dict)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # NULL until submitted: the unique constraint below ignores NULLs, not empty strings.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("幂等键"), max_length=64, null=True, blank=True
    )
    digest = models.CharField(_("申请摘要（SHA-256）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deadline = models.DateField(_("承诺办结期限"), null=True, blank=True)
    # Counted Monday to Friday because the year's holidays are not yet in the calendar.
    deadline_estimated = models.BooleanField(_("期限为估算"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # The 一件事 bundle the application was opened by, if any.
    bundle = models.ForeignKey(
        "Bundle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("一件事"),
    )

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="application_idempotency"
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="application_queue")]

    def __str__(self) -> str:
        return self.number


class Transition(models.Model):
    """One step of an application's life: who moved it from which state to which, why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("办件")
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices)
    actor = models.CharField(_("操作人"), max_length=200)
    reason = models.CharField(_("理由"), max_length=1000, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("办件流转")
        verbose_name_plural = _("办件流转")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.action}"


class Material(models.Model):
    """申请材料: an uploaded file, identified by its SHA-256 (stored once by content)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="materials", verbose_name=_("办件")
    )
    material_code = models.CharField(_("材料"), max_length=64)
    filename = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.CharField(_("上传人"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return self.filename


class BundleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Bundle(models.Model):
    """一件事: one form and one submission that opens several matters' applications at once.

    Each member matter gets its own application (办件), handled by its own department; the
    bundle keeps them together. Rows change only through :mod:`yingshang.matters.bundles`.
    """

    number = models.CharField(_("一件事编号"), max_length=32, unique=True)
    bundle_code = models.CharField(_("一件事代码"), max_length=64)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    applicant = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    data = models.JSONField(_("申请内容"), default=dict)
    state = models.CharField(
        _("状态"), max_length=16, choices=BundleState.choices, default=BundleState.DRAFT
    )
    # NULL until submitted: the unique constraint below ignores NULLs, not empty strings.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("幂等键"), max_length=64, null=True, blank=True
    )
    digest = models.CharField(_("一件事摘要（SHA-256）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="bundle_idempotency"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Signature(models.Model):
    """签名: a signer confirmed, after a fresh login, that they sign ``digest`` for ``purpose``.

    ``statement`` is the canonical JSON of the facts (signer, name, purpose, subject,
    digest, time, how they re-authenticated); ``platform_signature`` is the platform's
    Ed25519 signature over it with the ledger key ``key_id`` (see ``/api/v1/ledger/keys``).
    Rows are written only by :mod:`yingshang.matters.signatures` and never changed.
    """

    signer = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("签名人")
    )
    signer_name = models.CharField(_("签名人姓名"), max_length=150)
    purpose = models.CharField(_("签名用途"), max_length=32)
    subject = models.CharField(_("签名对象"), max_length=200)
    digest = models.CharField(_("所签摘要（SHA-256）"), max_length=64)
    signed_at = models.DateTimeField(_("签名时间"))
    auth_method = models.CharField(_("身份确认方式"), max_length=32)
    statement = models.TextField(_("签名声明"))
    key_id = models.CharField(_("平台密钥"), max_length=16)
    platform_signature = models.CharField(_("平台签名（Base64）"), max_length=100)
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("办件"),
    )
    bundle = models.ForeignKey(
        Bundle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("一件事"),
    )

    class Meta:
        verbose_name = _("签名")
        verbose_name_plural = _("签名")
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["subject", "digest"], name="signature_subject")]

    def __str__(self) -> str:
        return f"{self.subject}:{self.purpose}"
