"""Production settings for the load test's throwaway server: only the static files move to
the run's temporary directory (collected there, served by WhiteNoise with its manifest)."""

import os
from pathlib import Path

from sirolimus_app.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["LOADTEST_STATIC_ROOT"])
