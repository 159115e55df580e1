"""Before gunicorn starts (deploy/start.sh, hence `make serve` and the systemd unit): the
production environment is complete, the database is migrated, the static files collected.

A missing or wrong variable stops the start with one line naming it, never a traceback nor a
login page answering 500 because collectstatic was forgotten.
"""

import os
import sys

# What a production start cannot do without (docs/deploy.md, deploy/sirolimus.env.example).
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")


def missing_variables(environ) -> list[str]:
    return [name for name in REQUIRED if not environ.get(name, "").strip()]


def main() -> int:
    missing = missing_variables(os.environ)
    if missing:
        print("Configuration de production incomplète : variable(s) manquante(s) : "
              + ", ".join(missing) + " (voir deploy/sirolimus.env.example).", file=sys.stderr)
        return 2
    if os.environ.get("DEBUG", "").strip().lower() not in {"", "0", "false", "no", "off"}:
        print("DEBUG est activé : interdit en production (retirez DEBUG de l'environnement).",
              file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirolimus_app.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"Configuration de production invalide : {exc}", file=sys.stderr)
        return 2
    from django.core.management import call_command

    from sirolimus_app.dblock import exclusive

    # Two servers started together migrate one after the other (the second finds nothing).
    with exclusive("migrate"):
        call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("check", deploy=True, fail_level="ERROR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
