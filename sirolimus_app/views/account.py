"""One's own account: signing in (never looping back to the sign-in page) and changing the
password (throttled like the sign-in)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views

from sirolimus_app.forms.auth import LoginForm, ThrottledPasswordChangeForm


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """A `next` pointing back at the sign-in page would redirect a signed-in user to
        itself forever (Django raises instead): such a `next` means home."""
        url = super().get_redirect_url()
        if url and urlsplit(url).path == self.request.path:
            return ""
        return url

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED,
                # Back from the identity provider without a session: refused or expired.
                "oidc_refused": self.request.GET.get("oidc") == "refus"}


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
