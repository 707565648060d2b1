"""Experts (this issue: their profiles); conflicts, consulting, panels and
scores come with the evaluation capability."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpertProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("user")
    )
    affiliation = models.CharField(_("affiliation"), max_length=200)
    home_region = models.ForeignKey(
        "programmes.Region", on_delete=models.PROTECT, related_name="experts", verbose_name=_("home region")
    )
    industries = models.ManyToManyField(
        "programmes.StrategicIndustry", related_name="experts", blank=True, verbose_name=_("fields of expertise")
    )
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.affiliation})"
