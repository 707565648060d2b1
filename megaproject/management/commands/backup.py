"""`manage.py backup`: the database and the stored files into a new folder under BACKUP_DIR.

See megaproject/backups.py for the layout, the manifest and why a failed run never moves `latest`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from megaproject import backups


class Command(BaseCommand):
    help = ("Back up the database (pg_dump custom format; SQLite: a copy) and MEDIA_ROOT into a new folder "
            "under BACKUP_DIR with a manifest of SHA-256 checksums, point `latest` at it and keep the newest "
            "BACKUP_KEEP backups.")

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Write under this folder instead of BACKUP_DIR.")
        parser.add_argument("--keep", type=int, help="Keep this many complete backups instead of BACKUP_KEEP.")

    def handle(self, *args, **options):
        target = Path(options["dir"] or str(settings.BACKUP_DIR))
        keep = options["keep"] if options["keep"] is not None else settings.BACKUP_KEEP
        try:
            result = backups.backup(
                target=target, keep=keep, database=backups.Database.configured(),
                media_root=Path(str(settings.MEDIA_ROOT)), storage=settings.STORAGE_BACKEND,
                log=lambda message: self.stderr.write(message) if options["verbosity"] >= 1 else None,
            )
        except backups.BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        manifest = result.manifest
        media = manifest["media"]
        stored = (f"{media['count']} stored files" if media.get("file")
                  else "no stored files (they are in the S3 bucket)")
        tables = manifest["database"]["row_counts"]
        self.stdout.write(self.style.SUCCESS(
            f"Backup complete: {result.folder} ({len(tables)} tables, {sum(tables.values())} rows, {stored}); "
            f"{result.folder.parent / backups.LATEST} points at it."))
        for folder in result.removed:
            self.stdout.write(f"Removed the old backup {folder} (keeping {keep}).")
