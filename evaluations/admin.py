from django.contrib import admin

from .models import ExpertProfile


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "affiliation", "home_region", "available")
    list_filter = ("home_region", "available", "industries")
    search_fields = ("user__username", "user__display_name", "affiliation", "keywords")
    list_select_related = ("user", "home_region")
    filter_horizontal = ("industries",)
