"""`manage.py restore <folder|latest>`: check a backup completely, then restore it.

Nothing is touched unless every checksum matches and every archive opens; the
database is restored in one transaction (all or nothing). See megaproject/backups.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from megaproject import backups


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` (a folder, its name under BACKUP_DIR, or `latest`) "
            "into the configured database and MEDIA_ROOT, or the ones given. Stop the web servers, workers "
            "and beat first.")

    def add_arguments(self, parser):
        parser.add_argument("backup", help="A backup folder, its name under BACKUP_DIR, or `latest`.")
        parser.add_argument("--database-url", help="Restore into this database instead of DATABASE_URL's "
                                                   "(a PostgreSQL database is created when missing).")
        parser.add_argument("--media-root", help="Unpack the stored files here instead of MEDIA_ROOT.")
        parser.add_argument("--verify-only", action="store_true",
                            help="Check the checksums and archives only; restore nothing.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        log = (lambda message: self.stderr.write(message)) if options["verbosity"] >= 1 else (lambda message: None)
        try:
            folder = backups.resolve(options["backup"], Path(str(settings.BACKUP_DIR)))
            if options["verify_only"]:
                manifest = backups.verify(folder)
                self.stdout.write(self.style.SUCCESS(
                    f"{folder}: every checksum matches and every archive opens "
                    f"({len(manifest['files'])} files)."))
                return
            url = options["database_url"]
            database = backups.Database.from_url(url) if url else backups.Database.configured()
            media_root = self._media_root(options["media_root"])
            if options["interactive"] and not self._confirmed(folder, database, media_root):
                raise CommandError("restore cancelled; nothing was touched")
            result = backups.restore(folder=folder, database=database, media_root=media_root, log=log)
        except backups.BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Restored {folder} into the {database.describe()} ({len(result.manifest['database']['row_counts'])} "
            f"tables, row counts as in the manifest) and {result.media_files} stored files"
            + (f" into {media_root}." if media_root is not None else ".")))
        for note in result.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))

    @staticmethod
    def _media_root(given: str | None) -> Path | None:
        if given:
            return Path(given)
        if settings.STORAGE_BACKEND != "local":
            return None  # the files live in the bucket
        return Path(str(settings.MEDIA_ROOT))

    def _confirmed(self, folder: Path, database: backups.Database, media_root: Path | None) -> bool:
        target = f" and unpacks its stored files into {media_root}" if media_root is not None else ""
        answer = input(f"This replaces every table of the {database.describe()} with those of {folder}{target}.\n"
                       "Type 'yes' to continue: ")
        return answer.strip().lower() == "yes"
