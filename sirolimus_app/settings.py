"""Django settings: everything that varies between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_database, env_int, env_list, env_str, env_time

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Without DEBUG a real, secret key must be given: never ship a default one.
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "dev-only-insecure-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "sirolimus_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sirolimus_app.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page requires a login unless a view is explicitly marked otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sirolimus_app.urls"
WSGI_APPLICATION = "sirolimus_app.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["sirolimus_app.templatetags.dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sirolimus_app.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers queue for SQLite's single write lock (up to 20 s) instead of failing
    # with "database is locked" when a read transaction turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE",
                                                          timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Shared ward computers: a session ends after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English pages keep day-first dates (British usage): a French hospital never reads 03/04 as
# the 4th of March.
FORMAT_MODULE_PATH = ["sirolimus_app.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. HTTPS is assumed whenever DEBUG is off (behind the hospital's proxy).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# The establishment as its documents print it (off-label prescription, labels, family
# calendar). Each hospital sets its own; the placeholders say so on the page.
ESTABLISHMENT = {
    "name": env_str("ESTABLISHMENT_NAME", "Établissement à configurer (ESTABLISHMENT_NAME)"),
    "address": env_str("ESTABLISHMENT_ADDRESS", ""),
    "finess": env_str("ESTABLISHMENT_FINESS", ""),
    "service": env_str("ESTABLISHMENT_SERVICE", "Hématologie pédiatrique"),
    "phone": env_str("ESTABLISHMENT_PHONE", ""),
    "pharmacy": env_str("ESTABLISHMENT_PHARMACY", "Pharmacie à usage intérieur"),
    # The unit's own number, the one families call (fever, a question): printed on the family
    # calendar. A demonstration number in development only; unset in production, the
    # calendar leaves a line to write it by hand rather than print a wrong number.
    "service_phone": env_str("ESTABLISHMENT_SERVICE_PHONE",
                             "01 23 45 67 89" if DEBUG else ""),
}
# The unit's appointment time (HH:MM, 24 h) for the family calendar and iCalendar; empty:
# all-day events. A malformed value stops the start-up naming the variable.
APPOINTMENT_TIME = env_time("APPOINTMENT_TIME")
# How each sample is taken, per laboratory (the nurse's day sheet). Override in a local
# settings module if the laboratory differs.
LAB_SAMPLES = {
    "trough": _("Sirolimus sang total : tube EDTA, juste avant la prise du matin"),
    "control": _("Sirolimus sang total : tube EDTA, 48 h après l'arrêt"),
    "cbc": _("NFS-plaquettes : tube EDTA"),
    "lipids": _("Bilan lipidique : tube sec ou hépariné, à jeun"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Production serving, backups, several app servers (issue 17; deploy/, docs/deploy.md) ---
# Where collectstatic writes the hashed files WhiteNoise serves (one directory per release).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# gunicorn (deploy/gunicorn.conf.py): processes × threads; each thread may hold one database
# connection, so workers × threads × servers stays under PostgreSQL's max_connections.
SERVE_WORKERS = env_int("WEB_WORKERS", 2, minimum=1)
SERVE_THREADS = env_int("WEB_THREADS", 4, minimum=1)
SERVE_TIMEOUT = env_int("WEB_TIMEOUT", 60, minimum=10)  # a summary PDF takes ~1.5 s
# Backups (sirolimus_app/backup.py): encrypted to this age public key (its private key stays
# off the server) and authenticated with this HMAC key (hex or text, at least 32 bytes).
BACKUP_AGE_RECIPIENT = env_str("BACKUP_AGE_RECIPIENT")
BACKUP_HMAC_KEY = env_str("BACKUP_HMAC_KEY")
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))


# --- Security for health data (issue 16): sign-in, second factor, sessions, throttling -----
# One block on purpose: the settings above stay as they were. Described for the hospital's
# security officer in docs/operations.md ("Sécurité").
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = (
    "sirolimus_app.apps.AdminConfig")  # the admin behind the sign-in and its 2nd factor
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_AFTER_AUTH = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_AFTER_AUTH:_AFTER_AUTH] = [
    "django_otp.middleware.OTPMiddleware",
    "sirolimus_app.middleware_security.AbsoluteSessionMiddleware",
    "sirolimus_app.second_factor.SecondFactorMiddleware",
    "sirolimus_app.middleware_security.AuditActorMiddleware",
]
MIDDLEWARE.insert(MIDDLEWARE.index("sirolimus_app.middleware.ContentSecurityPolicyMiddleware"),
                  "sirolimus_app.middleware_security.NoStoreMiddleware")
# After axes (its lockout first), before the password check.
AUTHENTICATION_BACKENDS.insert(1, "sirolimus_app.throttle.AddressThrottleBackend")
# Failures from one address across all usernames within AXES_COOLOFF_TIME (password
# spraying); higher than the per-username limit so a shared ward computer is not locked out.
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
# A session ends this long after sign-in, however active (a ward computer left signed in).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Who must give a second factor with a local password: "staff", "superuser", role names
# (haematologist, nurse, pharmacist) or "all". Anyone who enrolled is asked too.
OTP_REQUIRED_FOR = env_list("OTP_REQUIRED_FOR", ["staff", "superuser"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Sirolimus PTI")
# Sign-in through the hospital's identity provider (OpenID Connect): off unless a client id
# is given; then the provider's endpoints are required (see docs/operations.md).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "", required=OIDC_ENABLED)
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "", required=OIDC_ENABLED)
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "",
                                         required=OIDC_ENABLED)
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "", required=OIDC_ENABLED)
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "", required=OIDC_ENABLED)
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "", required=OIDC_ENABLED)
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
# Roles from a claim ("OIDC_ROLE_MAP=claim-value=haematologist,other=nurse"), or, unset, granted
# by an administrator in the admin.
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM", "")
OIDC_ROLE_MAP = dict(item.split("=", 1) for item in env_list("OIDC_ROLE_MAP", []) if "=" in item)
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", True)
LOGIN_REDIRECT_URL_FAILURE = "/compte/connexion/?oidc=refus"
AUTHENTICATION_BACKENDS.append("sirolimus_app.oidc.HospitalOIDCBackend")
# Laboratory interfaces (sirolimus_app.interop, docs/operations.md): the assigning authority
# of this hospital's patient numbers in HL7 PID-3 and its FHIR identifier system, the
# laboratory's local test codes (CODE=kind, kinds: sirolimus, platelets, cholesterol,
# triglycerides), the sirolimus assay method, and the account imports are recorded under.
INTEROP_ASSIGNING_AUTHORITY = env_str("INTEROP_ASSIGNING_AUTHORITY", "HOPITAL")
INTEROP_IDENTIFIER_SYSTEM = env_str("INTEROP_IDENTIFIER_SYSTEM", "urn:oid:1.2.250.1.999.1.1.1")
INTEROP_LOCAL_CODES = dict(item.split("=", 1) for item in env_list(
    "INTEROP_LOCAL_CODES", ["SIRO=sirolimus", "PLAQ=platelets", "CHOL=cholesterol",
                            "TG=triglycerides"]))
INTEROP_SIROLIMUS_ASSAY = env_str("INTEROP_SIROLIMUS_ASSAY", "unknown")
INTEROP_LABORATORY_USERNAME = env_str("INTEROP_LABORATORY_USERNAME", "laboratoire")
INTEROP_APPLICATION_NAME = env_str("INTEROP_APPLICATION_NAME", "SIROLIMUS-PTI")
