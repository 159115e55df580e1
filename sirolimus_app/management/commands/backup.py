from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.backup import BackupError, write_backup


class Command(BaseCommand):
    help = ("Sauvegarde toute la base (SQLite ou PostgreSQL, selon DATABASE_URL), chiffrée pour "
            "BACKUP_AGE_RECIPIENT et signée avec BACKUP_HMAC_KEY, dans "
            "BACKUP_DIR/<date>.sirolimus-backup ou dans le fichier donné par --output.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Fichier à écrire.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path, counts = write_backup(output, using=database)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde chiffrée et signée écrite : {path} ({sum(counts.values())} lignes)."))
        for label, count in counts.items():
            if count:
                self.stdout.write(f"  {label:<32} {count}")
