import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class BaseModel(models.Model):
    """Every table records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


class Profile(BaseModel):
    """Per-user preferences. Times are stored in UTC and shown in `time_zone`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"


class ApiToken(BaseModel):
    """A personal API token. Only the SHA-256 of the token is stored: the plaintext is shown once, when
    it is created, and cannot be recovered. `prefix` (its first characters) lets a person recognise it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'deploy pipeline'.")
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the token (hex).")
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to recognise it.")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Updated at most once a minute.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key_hash"], name="api_token_key_hash_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ConsumerCursor(models.Model):
    """How far one consumer has read its published log (core.consumers). Every event id up to
    `position` is handled, except those in `gaps` (not committed yet when the cursor passed them)
    and `retries` (failed, to be tried again after a backoff)."""

    name = models.CharField(max_length=100, unique=True)
    position = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True, help_text='{"<event id>": first missed, epoch s}')
    retries = models.JSONField(
        default=dict, blank=True, help_text='{"<event id>": {"attempts", "retry_at", "error"}}'
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


class ConsumerFailure(models.Model):
    """An event a consumer gave up on after CONSUMER_MAX_ATTEMPTS: recorded, skipped, shown; an
    operator can give it another pass (retried_at)."""

    consumer = models.CharField(max_length=100)
    event_id = models.BigIntegerField()
    attempts = models.PositiveSmallIntegerField()
    error = models.TextField()
    failed_at = models.DateTimeField()
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-failed_at"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="consumer_failure_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.consumer} failed on event {self.event_id}"
