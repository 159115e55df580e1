from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restaure une sauvegarde (make backup) dans une base vide et migrée ; --replace "
            "vide d'abord la base. La signature (BACKUP_HMAC_KEY) est vérifiée avant toute "
            "lecture ; tout ou rien : en cas d'erreur, la base est inchangée.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier de sauvegarde (.sirolimus-backup).")
        parser.add_argument("--identity", required=True,
                            help="Fichier de la clé privée age (apporté pour la restauration, "
                                 "jamais conservé sur le serveur).")
        parser.add_argument("--replace", action="store_true",
                            help="Effacer le contenu actuel de la base avant de restaurer.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, identity, replace=False, database="default", **options):
        try:
            counts = restore(path, identity, using=database, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde restaurée : {path} ({sum(counts.values())} lignes)."))
