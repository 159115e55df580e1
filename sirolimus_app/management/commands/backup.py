from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.backup import BackupError, write_backup


class Command(BaseCommand):
    help = ("Sauvegarde toute la base (SQLite ou PostgreSQL, selon DATABASE_URL) dans "
            "backups/<date>.json.gz, ou dans le fichier donné par --output.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Fichier à écrire (.json.gz).")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path, counts = write_backup(output, using=database)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde écrite : {path} ({sum(counts.values())} lignes)."))
        for label, count in counts.items():
            if count:
                self.stdout.write(f"  {label:<32} {count}")
