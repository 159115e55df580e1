"""gunicorn's configuration for deploy/start.sh: processes and threads from the settings
(WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT), address from HOST and PORT."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirolimus_app.settings")

from django.conf import settings  # noqa: E402

from sirolimus_app.env import env_int, env_str  # noqa: E402

bind = f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1)}"
worker_class = "gthread"
workers = settings.SERVE_WORKERS
threads = settings.SERVE_THREADS
timeout = settings.SERVE_TIMEOUT
graceful_timeout = 30
# Only the local reverse proxy may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Managed by systemd, not by gunicorn's control socket (one per user, shared by servers).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# No URL with a query string in the access log: it might carry a search on a patient's name.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
