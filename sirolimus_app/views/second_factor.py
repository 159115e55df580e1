"""Enrolling and giving the second factor: a TOTP application (QR code drawn here, as SVG:
no outside service sees the secret) and ten single-use backup codes."""

from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sirolimus_app.forms.common import TypedTextMixin
from sirolimus_app.second_factor import PENDING
from sirolimus_app.services import audit

BACKUP_CODES = 10


class TokenForm(TypedTextMixin, forms.Form):
    token = forms.CharField(label=gettext_lazy("Code à usage unique"), max_length=16,
                            strip=True,
                            help_text=gettext_lazy("Les 6 chiffres de l'application, ou un "
                                                   "code de secours."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(autocomplete="one-time-code",
                                                 inputmode="text", autofocus=True)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device):
    otp_login(request, device)
    request.session.pop(PENDING, None)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"].replace(" ", "").lower())
        if device is not None:
            _verified(request, device)
            return redirect(_next(request))
        form.add_error("token", _("Code incorrect ou expiré. Après plusieurs erreurs, "
                                  "attendez quelques secondes entre deux essais."))
    return render(request, "account/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol a TOTP application. Replacing an enrolled one goes through the administrator
    (`manage.py reset_second_factor`): whoever holds the session alone cannot swap it."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "account/otp_setup.html", {"enrolled": True})
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "application"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            codes = _confirm(request, device)
            return render(request, "account/backup_codes.html",
                          {"codes": codes, "next": _next(request)})
        form.add_error("token", _("Code incorrect : vérifiez l'heure du téléphone et "
                                  "saisissez le code affiché maintenant."))
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(request, "account/otp_setup.html", {
        "form": form, "next": _next(request), "secret": secret,
        "qr": segno.make(device.config_url, error="m").svg_inline(
            scale=4, title=_("QR code à scanner avec l'application")),
    })


@transaction.atomic
def _confirm(request, device) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    backup = StaticDevice.objects.create(user=device.user, name="backup")
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
    audit.record_account(request.user, "account.second_factor_enrolled", device.user)
    _verified(request, device)
    return codes
