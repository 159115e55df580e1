from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restaure une sauvegarde (make backup) dans une base vide et migrée ; --replace "
            "vide d'abord la base. Tout ou rien : en cas d'erreur, la base est inchangée.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier de sauvegarde (.json.gz).")
        parser.add_argument("--replace", action="store_true",
                            help="Effacer le contenu actuel de la base avant de restaurer.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, replace=False, database="default", **options):
        try:
            counts = restore(path, using=database, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde restaurée : {path} ({sum(counts.values())} lignes)."))
