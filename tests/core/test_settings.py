"""The settings module as production loads it: in a clean subprocess, from environment variables only."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PROJECT_ROOT = settings.BASE_DIR


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project root with only PATH and `env` set (the test settings leak variables
    such as SECURE_SSL_REDIRECT=0 into os.environ, so nothing else is inherited)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_pass_deploy_checks():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="cornerstone.example.com",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_without_secret_key_when_debug_off_refuse_to_load():
    result = run(["-c", "import django; django.setup()"], DEBUG="0", DATABASE_URL="sqlite:////tmp/x.sqlite3")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_collectstatic_builds_the_manifest(tmp_path):
    """What the Dockerfile runs: every vendored file's references resolve (a css pointing at a
    missing source map would fail the build, and every page would then answer 500)."""
    result = run(
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(45),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static" / "vendor" / "htmx" / "2.0.11").glob("htmx.min.*.js"))
