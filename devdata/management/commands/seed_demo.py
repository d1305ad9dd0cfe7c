from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devdata.demo import alerts as alerts_demo
from devdata.demo import coe as coe_demo
from devdata.demo import incidents as demo


class Command(BaseCommand):
    help = "Load the demo teams, services and incidents (once; safe to run again) and set the demo login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="", help="Default: 'demo', allowed only with DEBUG on.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="The URL printed for the user.")

    def handle(self, *args, username, password, url, **options):
        if not password:
            if not settings.DEBUG:
                raise CommandError("Refusing the well-known demo password with DEBUG off; pass --password.")
            password = "demo"
        demo.ensure_demo_login(username=username, password=password)
        now = timezone.now()
        added = demo.load(now=now)
        alerts_demo.load(now=now)
        coe_demo.load(now=now)
        if added:
            self.stdout.write(f"Loaded {added} demo incidents over the last 12 weeks.")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write(
            self.style.SUCCESS(f"Cornerstone: open {url} and log in as {username} / {password}")
        )
