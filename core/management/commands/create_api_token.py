"""Create a personal API token for a user and print it; the plaintext is on the last line, alone,
so a script can take it with `| tail -n 1`. Only its hash is stored: it cannot be shown again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core import errors, services


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, plaintext = services.api_token_create(user=user, name=name)
        except errors.ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Created token {token.name!r} ({token.prefix}…) for {user.username}. "
            "Store it now: it is not shown again."
        )
        self.stdout.write(plaintext)
