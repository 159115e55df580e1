"""Bearer tokens for the FHIR API: random, shown once, stored as SHA-256 (a 256-bit random
secret needs no slow hash), scoped, revocable; creation, revocation and every use audited."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sirolimus_app.models import ApiToken
from sirolimus_app.services import audit
from sirolimus_app.services.errors import ServiceError

PREFIX = "sirpti_"


class TokenError(Exception):
    """Why a request is refused; `status` 401 (who are you?) or 403 (not allowed)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(name: str, scopes: list[str], created_by=None) -> tuple[ApiToken, str]:
    """A new token; the secret returned is never stored and cannot be shown again."""
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if not scopes or unknown:
        raise ServiceError(f"Droits inconnus : {', '.join(sorted(unknown)) or '(aucun)'} "
                           f"(possibles : {', '.join(ApiToken.Scope.values)})")
    if ApiToken.objects.filter(name=name).exists():
        raise ServiceError(f"Un jeton nommé « {name} » existe déjà.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, digest=_digest(secret), scopes=sorted(scopes),
                                    created_by=created_by)
    audit.record(created_by, "apitoken.create", token,
                 after={"name": name, "scopes": token.scopes})
    return token, secret


@transaction.atomic
def revoke_token(name: str, revoked_by=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(name=name).first()
    if token is None:
        raise ServiceError(f"Aucun jeton nommé « {name} ».")
    if token.revoked_at is not None:
        raise ServiceError(f"Le jeton « {name} » est déjà révoqué.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(revoked_by, "apitoken.revoke", token,
                 after={"name": name, "revoked_at": token.revoked_at})
    return token


def authenticate(header: str, scope: str) -> ApiToken:
    """The token of an `Authorization: Bearer …` header, if it is valid and has `scope`."""
    kind, _, secret = (header or "").partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise TokenError("Jeton d'API attendu (en-tête Authorization: Bearer …).", 401)
    token = ApiToken.objects.filter(digest=_digest(secret.strip())).first()
    if token is None or token.revoked_at is not None:
        raise TokenError("Jeton d'API inconnu ou révoqué.", 401)
    if scope not in token.scopes:
        raise TokenError(f"Ce jeton n'a pas le droit « {scope} ».", 403)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
