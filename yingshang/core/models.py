"""Reference tables of the core module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .industries import IndustryLevel


class Industry(models.Model):
    """A code of the national industry classification (国民经济行业分类, GB/T 4754-2017).

    Loaded by migration 0002 from ``data/industries.csv``; read-only reference data. Other
    modules point at a class with ``ForeignKey(Industry, on_delete=PROTECT)``: the code is
    the primary key, so the stored value is the readable code.
    """

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=IndustryLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    section = models.CharField(_("门类"), max_length=1, db_index=True)
    position = models.PositiveSmallIntegerField(_("序号"), unique=True)

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=IndustryLevel.values),
                name="core_industry_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level=IndustryLevel.SECTION, parent__isnull=True)
                | (~models.Q(level=IndustryLevel.SECTION) & models.Q(parent__isnull=False)),
                name="core_industry_parent_iff_not_section",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
