"""`manage.py make_demo_certificate PATH --password PW`: a self-made CA and a demo signing
certificate ("DEMO — 데모용 인증서, 법적 효력 없음 …") in a PKCS#12 file, for `make run`. Kept when
the file is there already. Production refuses a demo certificate (core.documents.signing)."""

from django.core.management.base import BaseCommand, CommandError

from core.documents.certificates import write_demo_pkcs12


class Command(BaseCommand):
    help = "Write a demo document-signing certificate (PKCS#12) at PATH unless one is there. Demo only."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--password", required=True)

    def handle(self, *args, path, password, **options):
        if not password:
            raise CommandError("--password: give the PKCS#12 file a password.")
        if write_demo_pkcs12(path, password):
            self.stdout.write(f"demo signing certificate written to {path}")
        else:
            self.stdout.write(f"demo signing certificate kept: {path}")
