from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from alerts import services
from alerts.models import Kind
from core import errors
from incidents.models import Team


class Command(BaseCommand):
    help = "Create an alert integration; prints its inbound URL path (with the key) on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--team", help="Team slug or name (default: the only team, if there is one).")
        parser.add_argument("--hmac-secret", default="", help="Grafana: verify X-Grafana-Alerting-Signature.")
        parser.add_argument(
            "--no-sns-verification",
            action="store_true",
            help="CloudWatch: accept unsigned SNS messages (tests only; anyone could forge alerts).",
        )

    def handle(self, *args, kind, name, team, hmac_secret, no_sns_verification, **options):
        if team:
            found = Team.objects.filter(slug=team).first() or Team.objects.filter(name=team).first()
            if found is None:
                raise CommandError(f"No team {team!r}.")
        else:
            teams = list(Team.objects.all()[:2])
            if len(teams) != 1:
                raise CommandError("Pass --team (there is not exactly one team).")
            found = teams[0]
        try:
            integration, key = services.integration_create(
                name=name,
                kind=kind,
                team=found,
                hmac_secret=hmac_secret,
                verify_sns_signatures=not no_sns_verification,
            )
        except errors.ApplicationError as exc:
            raise CommandError(exc.message) from None
        if no_sns_verification and kind == Kind.CLOUDWATCH:
            self.stderr.write(
                "WARNING: SNS signature verification is off; anyone with the URL can forge alerts."
            )
        self.stdout.write(f"Created integration {integration.pk} ({integration}) for team {found}.")
        if kind == Kind.PAGERDUTY:
            self.stdout.write(f"PagerDuty-compatible: POST /v2/enqueue with routing_key {key}")
        self.stdout.write(reverse("alerts:hook", kwargs={"key": key}))
