"""The sign-in and password-change forms: typed input checked before any password is
compared, and every password comparison made through authenticate() so django-axes counts
it (login, admin login and password change are throttled alike)."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from sirolimus_app.forms.common import check_typed_text

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def clean_typed_username(value: str) -> str:
    """Refused before authentication: django-axes stores the typed username in a 255-character
    column, so a longer one would fail on PostgreSQL, and no account has such a name."""
    if len(value) > USERNAME_MAX_LENGTH:
        raise forms.ValidationError(
            _("Identifiant trop long (%(max)s caractères au plus).")
            % {"max": USERNAME_MAX_LENGTH}, code="max_length")
    check_typed_text(value)
    return value


class LoginForm(AuthenticationForm):
    """Django's login form; axes needs the request passed to authenticate(), which it does."""

    def clean_username(self):
        return clean_typed_username(self.cleaned_data["username"])


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The current password is checked through authenticate(): failures are counted and
    locked out like failed logins, instead of an unlimited guess behind a session."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(),
                               password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"],
                                        code="password_incorrect")
        return old_password
