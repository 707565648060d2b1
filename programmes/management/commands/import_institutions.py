"""`manage.py import_institutions FILE --user STAFF`: the registry import of the staff page, from
the command line (all or nothing, with the same row report)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from audit.services import acting_as
from programmes.institutions import institutions_import


class Command(BaseCommand):
    help = "Import the institutions registry from a CSV or XLSX file (columns: name_ko, name_en, aliases, kind, parent)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="The staff account the import is recorded under.")

    def handle(self, *args, file, user, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No account “{user}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file “{file}”.")
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        try:
            with acting_as(actor):
                report = institutions_import(actor=actor, upload=upload)
        except PermissionDenied:
            raise CommandError(f"“{user}” may not manage the institutions registry.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for line, name, reasons in report.errors:
            self.stderr.write(f"line {line} ({name or '—'}): {' '.join(str(r) for r in reasons)}")
        if report.errors:
            raise CommandError(f"Nothing imported: {len(report.errors)} rows have problems.")
        for line, name in report.created:
            self.stdout.write(f"line {line}: {name} created")
        for line, name in report.updated:
            self.stdout.write(f"line {line}: {name} updated")
        self.stdout.write(self.style.SUCCESS(f"{len(report.created)} created, {len(report.updated)} updated."))
