"""Create (or revoke) a bearer token for a system calling the FHIR API."""

from django.core.management.base import BaseCommand, CommandError

from sirolimus_app.interop import tokens
from sirolimus_app.models import ApiToken
from sirolimus_app.services.errors import ServiceError


class Command(BaseCommand):
    help = ("Crée un jeton d'API FHIR (affiché une seule fois) ; --revoke le révoque. "
            f"Droits : {', '.join(ApiToken.Scope.values)}.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du système (ex. : laboratoire-chu)")
        parser.add_argument("--scope", action="append", dest="scopes", default=[],
                            choices=ApiToken.Scope.values)
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, name, scopes, revoke, **options):
        try:
            if revoke:
                tokens.revoke_token(name)
                self.stdout.write(f"Jeton « {name} » révoqué.")
                return
            token, secret = tokens.create_token(name, scopes)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Jeton « {token.name} » ({', '.join(token.scopes)}) — à copier "
                          "maintenant, il ne sera plus affiché :")
        self.stdout.write(secret)
