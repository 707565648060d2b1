"""`manage.py break_glass USERNAME --on|--off`: name an administrator a break-glass account
(may log in with a password when staff password log-in is off and single sign-on is down;
every log-in recorded and mailed to all administrators), or take it back. Recorded on the
audit trail (accounts.services.break_glass_set)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import break_glass_set


class Command(BaseCommand):
    help = "Name an administrator a break-glass account (--on) or take it back (--off)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        switch = parser.add_mutually_exclusive_group(required=True)
        switch.add_argument("--on", action="store_true", help="make USERNAME a break-glass administrator")
        switch.add_argument("--off", action="store_true", help="USERNAME is no longer a break-glass administrator")

    def handle(self, username, on, off, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        try:
            break_glass_set(actor=None, user=user, on=on)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        state = "is now" if on else "is no longer"
        self.stdout.write(self.style.SUCCESS(f"{username} {state} a break-glass administrator."))
