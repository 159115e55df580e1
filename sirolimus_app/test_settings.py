"""Settings for the test suite: the real settings, in development mode, with a fast hasher."""

import os

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402, F403

# Tests create many users; the real hasher would dominate their run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
