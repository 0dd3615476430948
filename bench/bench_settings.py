"""Settings for the benchmark server: the project's settings (ctip/settings/base.py) as a
production server would run them, except HTTPS and two-factor (see bench/_common.py).

Production (ctip/settings/production.py) serves static files only from collectstatic's
output, compressed ahead of time; base.py also looks in the apps (WHITENOISE_USE_FINDERS) for
development, which serves them uncompressed. The benchmark measures the production path.
"""

from ctip.settings.base import *  # noqa: F403

WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
