from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region_code"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "jurisdiction", "is_staff"]
    list_filter = ["role", "department", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "entity_credit_code"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("平台角色"),
            {
                "fields": (
                    "role",
                    "display_name",
                    "department",
                    "jurisdiction",
                    "entity_credit_code",
                )
            },
        ),
    )
