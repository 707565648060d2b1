from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "region", "email", "is_active")
    list_filter = ("role", "region", "is_active")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    list_select_related = ("region",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Portal role"), {"fields": ("role", "region", "display_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Portal role"), {"fields": ("role", "region")}),)
