"""Settings for the test suite: the real PostgreSQL and Redis of the machine by default.

`TEST_DATABASE_URL=sqlite:///...` runs the same suite on SQLite (tests that need row locks skip there).
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")
os.environ.setdefault(
    "DATABASE_URL", os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The tests' receivers listen on 127.0.0.1 (an env var, so real workers started by tests get it too);
# the guard's own tests turn it off (tests/core/test_netguard.py).
os.environ.setdefault("OUTBOUND_ALLOW_PRIVATE_NETWORKS", "1")

from config.settings.base import *  # noqa: F403

# Tests call services directly; tasks run in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The live server of the browser tests serves static files itself; WhiteNoise would only warn that
# collectstatic has not run.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
