"""The name index (名称比对库) and name reservations (名称自主申报保留).

:class:`NameIndexEntry` holds one row per name that blocks others in this registration
authority (the whole city): names of registered entities that are still on the register,
names of cancelled entities until one year after cancellation (``blocks_until``), and
reserved names until their reservation expires. Each row carries the comparison keys of
:func:`yingshang.registration.names.name_keys`, each indexed together with the industry
group, so that a check is a handful of indexed look-ups. :class:`NameFragment` holds every
part of two characters or more of each 字号 (:func:`~yingshang.registration.names.
trade_name_substrings`), so that an existing 字号 *containing* the proposed one is found by
one equality look-up too.

:class:`NameReservation` is a declared and reserved name (保留两个月). A partial unique index
on ``claim_key`` (字号 + industry group) over the reserved rows keeps two reservations of
the same name from both succeeding, whatever the services do; :class:`NameLock` rows
serialise the reservations of one 字号, so that the check before the insert sees every
reservation committed before it (including those with no industry, which the unique key
cannot see).

Rows change only through :mod:`yingshang.registration.nameindex` and
:mod:`yingshang.registration.reservations`.
"""

from __future__ import annotations

import functools
import operator

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IndexSource",
    "NameFragment",
    "NameIndexEntry",
    "NameLock",
    "NameReservation",
    "ReservationChannel",
    "ReservationState",
]


class IndexSource(models.TextChoices):
    """What put a name in the index."""

    ENTITY = "entity", _("已登记市场主体")
    RESERVATION = "reservation", _("已保留名称")


class NameIndexEntry(models.Model):
    """名称比对库条目: one blocking name and its comparison keys.

    ``ref`` is the entity's credit code or the reservation's number. ``blocks_until`` null
    means the name blocks while the row exists (an entity on the register); otherwise the row
    blocks only before that instant (a cancelled entity: one year after cancellation; a
    reservation: its expiry). ``fallback`` marks a registered name the parser could not split:
    it is indexed by the whole name, so only the very same name conflicts with it.
    """

    source = models.CharField(_("来源"), max_length=16, choices=IndexSource.choices)
    ref = models.CharField(_("统一社会信用代码或保留编号"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    trade_name = models.CharField(_("字号"), max_length=100)
    industry_text = models.CharField(_("行业表述"), max_length=100, blank=True, default="")
    industry_terms = models.CharField(
        _("行业用语（以“|”分隔）"), max_length=200, blank=True, default=""
    )
    identical_key = models.CharField(_("相同比对键（字号+行业）"), max_length=200)
    pinyin_key = models.CharField(_("字号拼音"), max_length=600)
    sorted_key = models.CharField(_("字号用字（排序）"), max_length=100)
    industry_group = models.CharField(_("行业组"), max_length=200, blank=True, default="")
    fallback = models.BooleanField(_("未能拆分，按全称比对"), default=False)
    blocks_until = models.DateTimeField(_("比对截止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名称比对库条目")
        verbose_name_plural = _("名称比对库条目")
        constraints = [
            models.UniqueConstraint(fields=["source", "ref"], name="registration_nameindex_ref"),
        ]
        indexes = [
            models.Index(fields=["identical_key"], name="registration_nameidx_ident"),
            models.Index(
                fields=["trade_name", "industry_group"], name="registration_nameidx_trade"
            ),
            models.Index(
                fields=["pinyin_key", "industry_group"], name="registration_nameidx_pinyin"
            ),
            models.Index(
                fields=["sorted_key", "industry_group"], name="registration_nameidx_sorted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.ref}）"


class NameFragment(models.Model):
    """字号片段: a part (two characters or more) of an indexed 字号, for containment."""

    entry = models.ForeignKey(
        NameIndexEntry,
        verbose_name=_("名称比对库条目"),
        on_delete=models.CASCADE,
        related_name="fragments",
        db_index=False,  # served by the index on (entry, fragment) below
    )
    fragment = models.CharField(_("字号片段"), max_length=100)
    industry_group = models.CharField(_("行业组"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("字号片段")
        verbose_name_plural = _("字号片段")
        indexes = [
            models.Index(fields=["fragment", "industry_group"], name="registration_namefrag_frag"),
            models.Index(fields=["entry"], name="registration_namefrag_entry"),
        ]

    def __str__(self) -> str:
        return self.fragment


class NameLock(models.Model):
    """名称锁: one row per 字号 ever reserved; locked to serialise reservations of it."""

    key = models.CharField(_("字号"), max_length=100, primary_key=True)

    class Meta:
        verbose_name = _("名称锁")
        verbose_name_plural = _("名称锁")

    def __str__(self) -> str:
        return self.key


class ReservationState(models.TextChoices):
    """State of a reservation. Transitions: ``reservations.ALLOWED_FROM``."""

    RESERVED = "reserved", _("保留中")
    USED = "used", _("已使用")
    RELEASED = "released", _("已放弃")
    EXPIRED = "expired", _("已过期")


class ReservationChannel(models.TextChoices):
    ONLINE = "online", _("网上申报")
    COUNTER = "counter", _("窗口申报")


class NameReservation(models.Model):
    """名称保留: a self-declared name kept for its declarant for two months.

    ``claim_key`` is 字号 + "|" + industry group: two reserved rows may not share it. With
    ``similar_accepted`` the declarant accepted the risk of similar names (``similar_names``)
    by a signed commitment (承诺书), ``commitment_signature`` and ``commitment_digest``.
    """

    number = models.CharField(_("保留编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    region_text = models.CharField(_("行政区划"), max_length=50, blank=True, default="")
    trade_name = models.CharField(_("字号"), max_length=100)
    industry_text = models.CharField(_("行业表述"), max_length=100, blank=True, default="")
    form = models.CharField(_("组织形式"), max_length=50)
    flags = models.JSONField(_("需审核事项"), default=list, blank=True)
    claim_key = models.CharField(_("保留键（字号+行业组）"), max_length=300)
    declarant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.PROTECT,
        related_name="name_reservations",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        _("渠道"),
        max_length=16,
        choices=ReservationChannel.choices,
        default=ReservationChannel.ONLINE,
    )
    region_code = models.CharField(_("住所所在行政区划"), max_length=6)
    industry_code = models.CharField(_("国民经济行业"), max_length=5, blank=True, default="")
    entity_type = models.CharField(_("市场主体类型"), max_length=32)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ReservationState.choices,
        default=ReservationState.RESERVED,
    )
    reserved_at = models.DateTimeField(_("保留时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("保留期至"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    similar_accepted = models.BooleanField(_("已承诺承担近似名称风险"), default=False)
    similar_names = models.JSONField(_("近似名称"), default=list, blank=True)
    commitment_signature = models.CharField(
        _("承诺书签名记录"), max_length=64, blank=True, default=""
    )
    commitment_digest = models.CharField(
        _("承诺书摘要（SHA-256）"), max_length=64, blank=True, default=""
    )
    used_by_credit_code = models.CharField(
        _("使用该名称的统一社会信用代码"), max_length=18, blank=True, default=""
    )

    class Meta:
        verbose_name = _("名称保留")
        verbose_name_plural = _("名称保留")
        constraints = [
            models.UniqueConstraint(
                fields=["claim_key"],
                condition=models.Q(state="reserved"),
                name="registration_reservation_one_claim",
            ),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_, (models.Q(state=value) for value in ReservationState.values)
                ),
                name="registration_reservation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("reserved_at")),
                name="registration_reservation_expiry_after",
            ),
        ]
        indexes = [
            models.Index(fields=["declarant", "state"], name="registration_resv_declarant"),
            models.Index(fields=["state", "expires_at"], name="registration_resv_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"
