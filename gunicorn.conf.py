"""Gunicorn's settings, read from the working directory (/app in the image) whatever the command line
says; the Dockerfile's CMD keeps the per-deployment ones (bind, timeouts, workers).

The request line and each header may be as long as gunicorn allows (8190 bytes), so that Django, not
gunicorn, refuses a long URL: `core.middleware.UrlLengthMiddleware` answers 414 in JSON past
settings.MAX_URL_LENGTH (8000 characters). What gunicorn still refuses itself is answered in JSON too
(`core.gunicorn`).
"""

limit_request_line = 8190
limit_request_field_size = 8190


def on_starting(server):
    from core import gunicorn as json_errors

    json_errors.install()
