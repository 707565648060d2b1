"""Personal access tokens of the read API: only a SHA-256 digest of the secret is kept."""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scopes import Scope

TOKEN_PREFIX = "mpt_"


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, owner__is_active=True)


class ApiToken(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("owner"))
    name = models.CharField(_("token name"), max_length=100)
    # The first characters of the secret, shown in lists so a person can tell tokens apart.
    hint = models.CharField(_("begins with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token digest"))
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("uses"), default=0)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def state(self) -> str:
        """The state: "revoked", "expired" or "active" (the owner's account is checked on use, api.auth)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def uses_now(self) -> int:
        """Every use: those written to the row plus those counted since its last write (api.auth.record_use)."""
        return self.use_count + (cache.get(pending_uses_key(self)) or 0)

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]


def pending_uses_key(token) -> str:
    """The shared cache's count of a token's uses not written to its row yet (keyed by its digest)."""
    return f"api-uses:{token.digest[:32]}"
