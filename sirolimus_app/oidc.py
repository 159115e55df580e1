"""Sign-in through the hospital's identity provider (OpenID Connect, mozilla-django-oidc):
the hospital's directory or Pro Santé Connect.

Off unless OIDC_RP_CLIENT_ID is set. The provider says who the person is (the
OIDC_USERNAME_CLAIM claim, names); what they may do is either granted by an administrator
(a new account starts with no role: it sees nothing clinical) or, with OIDC_ROLES_CLAIM, read
from a claim through OIDC_ROLE_MAP at every sign-in. A local account with a password is never
taken over by a provider identity of the same name.
"""

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from sirolimus_app.forms.common import has_forbidden_characters
from sirolimus_app.roles import Role

logger = logging.getLogger(__name__)
USERNAME_MAX_LENGTH = 150
# Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60


class HospitalOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()
        self.enabled = settings.OIDC_ENABLED
        if self.enabled:
            super().__init__(*args, **kwargs)
            unknown = set(settings.OIDC_ROLE_MAP.values()) - set(Role.values)
            if unknown:
                raise ImproperlyConfigured(f"OIDC_ROLE_MAP names unknown roles: {unknown}")

    def authenticate(self, request, **kwargs):
        if not self.enabled:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as refusal:
            # An expired, foreign or tampered token, or the provider unreachable: refused,
            # the sign-in page says so.
            logger.warning("OIDC sign-in refused: %s", refusal)
            return None

    def verify_token(self, token, **kwargs):
        """The signature and nonce (the library), then what it leaves out: the token is from
        our provider, for us, and still valid."""
        payload = super().verify_token(token, **kwargs)
        now = time.time()
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if not isinstance(payload.get("exp"), int | float) or payload["exp"] < now - LEEWAY_SECONDS:
            raise SuspiciousOperation("ID token expired")
        return payload

    def _username(self, claims) -> str:
        value = claims.get(settings.OIDC_USERNAME_CLAIM) or ""
        return value.strip() if isinstance(value, str) else ""

    def verify_claims(self, claims):
        username = self._username(claims)
        return (0 < len(username) <= USERNAME_MAX_LENGTH
                and not has_forbidden_characters(username))

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(username=self._username(claims))
        if any(user.has_usable_password() for user in users):
            raise SuspiciousOperation("OIDC identity matches a local account with a password")
        return users

    @transaction.atomic
    def create_user(self, claims):
        user = self.UserModel(username=self._username(claims))
        user.set_unusable_password()
        self._copy_claims(user, claims)
        user.save()
        self._sync_roles(user, claims)
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        before = (user.first_name, user.last_name, user.email)
        self._copy_claims(user, claims)
        if (user.first_name, user.last_name, user.email) != before:
            user.save(update_fields=["first_name", "last_name", "email"])
        self._sync_roles(user, claims)
        return user

    @staticmethod
    def _copy_claims(user, claims):
        for field, claim, length in (("first_name", "given_name", 150),
                                     ("last_name", "family_name", 150), ("email", "email", 254)):
            value = claims.get(claim)
            if isinstance(value, str) and not has_forbidden_characters(value):
                setattr(user, field, value.strip()[:length])

    @staticmethod
    def _sync_roles(user, claims):
        """With a roles claim, the clinical roles are exactly the mapped ones; other groups
        (none today) are left alone. Without it, the administrator's grants stay."""
        if not settings.OIDC_ROLES_CLAIM:
            return
        values = claims.get(settings.OIDC_ROLES_CLAIM) or []
        values = [values] if isinstance(values, str) else values
        wanted = {settings.OIDC_ROLE_MAP[v] for v in values
                  if isinstance(v, str) and v in settings.OIDC_ROLE_MAP}
        current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if wanted - current:
            user.groups.add(*Group.objects.filter(name__in=wanted - current))
        if current - wanted:
            user.groups.remove(*Group.objects.filter(name__in=current - wanted))


def _only_when_enabled(view):
    @login_not_required
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


authentication_request = _only_when_enabled(OIDCAuthenticationRequestView.as_view())
authentication_callback = _only_when_enabled(OIDCAuthenticationCallbackView.as_view())
