"""The weekly team digest: once per team per week (the reminder log), by email to its subscribers and
mailing addresses, and to its webhooks that want it."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import reporting
from metrics import weeks
from notifications import digest, payloads, selectors
from notifications.models import MessageTopic, ReminderKind, ReminderLog, WebhookEvent
from notifications.services import outbox
from notifications.services.reminders import log_new


def _context(data: selectors.DigestData, today: date) -> dict:
    figures = digest.figures(
        week=data.week,
        durations_by_week={week: row.durations for week, row in data.aggregates.items()},
        small_sample=settings.METRICS_SMALL_SAMPLE,
    )
    last = data.aggregates.get(data.week)
    return {
        "team": data.team,
        "week": data.week,
        "week_label": digest.week_label(data.week),
        "incidents": [
            {
                "reference": incident.reference,
                "title": incident.title,
                "severity": incident.severity,
                "status": incident.get_status_display(),
                "url": outbox.absolute(reverse("incidents:detail", args=[incident.pk])),
            }
            for incident in data.incidents
        ],
        "counted": last.incidents if last else None,
        "figures": [
            {
                "label": figure.label,
                "p50": digest.humanize(figure.p50),
                "p90": digest.humanize(figure.p90),
                "count": figure.count,
                "previous_p50": digest.humanize(figure.previous_p50),
                "previous_p90": digest.humanize(figure.previous_p90),
                "previous_count": figure.previous_count,
                "small_sample": figure.small_sample,
                "trend": figure.trend,
            }
            for figure in figures
        ],
        "small_sample": settings.METRICS_SMALL_SAMPLE,
        "coes_due": [
            {
                "reference": coe.incident.reference,
                "title": coe.incident.title,
                "owner": coe.owner.get_full_name() or coe.owner.get_username(),
                "due_on": coe.due_on,
                "url": outbox.absolute(reverse("coe:detail", args=[coe.pk])),
            }
            for coe in data.coes_due
        ],
        "overdue_items": [
            {
                "title": item.title,
                "reference": item.coe.incident.reference,
                "owner": (item.owner.get_full_name() or item.owner.get_username())
                if item.owner
                else "nobody",
                "due_on": item.due_on,
                "days": (today - item.due_on).days,
                "url": outbox.absolute(reverse("coe:detail", args=[item.coe_id])),
            }
            for item in data.overdue_items
        ],
        "metrics_url": outbox.absolute(
            reverse("metrics:weekly")
            + "?"
            + urlencode({"week": weeks.week_format(data.week), "team": data.team.slug})
        ),
    }


def _text(context: dict) -> str:
    """The digest in a few lines, for chat webhooks."""
    lines = [f"Weekly digest for {context['team'].name}, {context['week_label']}:"]
    lines.append(f"• {len(context['incidents'])} incident(s) started last week")
    for figure in context["figures"]:
        lines.append(
            f"• {figure['label']} p50 {figure['p50']}, p90 {figure['p90']} (n={figure['count']}); "
            f"previous 4 weeks p50 {figure['previous_p50']}, p90 {figure['previous_p90']}"
        )
    lines.append(f"• {len(context['coes_due'])} COE(s) due this week")
    lines.append(f"• {len(context['overdue_items'])} overdue action item(s)")
    return "\n".join(lines)


def _object(context: dict) -> dict:
    return {
        "team": {"id": context["team"].pk, "name": context["team"].name},
        "week": context["week"].isoformat(),
        "incidents": context["incidents"],
        "figures": context["figures"],
        "coes_due": [{**coe, "due_on": coe["due_on"].isoformat()} for coe in context["coes_due"]],
        "overdue_action_items": [
            {**item, "due_on": item["due_on"].isoformat()} for item in context["overdue_items"]
        ],
    }


@transaction.atomic
def team_digest_send(*, audience: selectors.DigestAudience, week: date, today: date) -> int:
    """Queue `audience.team`'s digest of `week` unless it was already queued (the reminder log:
    kind weekly_digest, subject team:<id>, no recipient, period the week's Monday). Returns how
    many messages it queued."""
    team = audience.team
    created = log_new(
        [ReminderLog(kind=ReminderKind.WEEKLY_DIGEST, subject=f"team:{team.pk}", recipient=None, period=week)]
    )
    if not created:
        return 0
    entry = created[0]
    context = _context(selectors.digest_data(team=team, week=week, today=today), today)
    subject = f"{team.name}: weekly digest, {context['week_label']}"
    messages = [
        outbox.email_message(
            to_email=address,
            user_id=user_id,
            topic=MessageTopic.WEEKLY_DIGEST,
            subject=subject,
            template="digest",
            context=context,
            url=context["metrics_url"],
            reminder=entry,
        )
        for address, user_id in audience.emails
    ]
    text = _text(context)
    occurred_at = timezone.now()
    for hook in audience.webhooks:
        body = payloads.body(
            format=hook.format,
            event=WebhookEvent.DIGEST,
            text=text,
            url=context["metrics_url"],
            occurred_at=occurred_at,
            team=team.name,
            obj=_object(context),
        )
        messages.append(
            outbox.webhook_message(
                webhook=hook,
                topic=MessageTopic.WEEKLY_DIGEST,
                event=WebhookEvent.DIGEST,
                payload=body,
                subject=subject,
                url=context["metrics_url"],
                reminder=entry,
            )
        )
    outbox.messages_store(messages)
    return len(messages)


def last_week(today: date) -> date:
    """The Monday of the week before the one `today` is in."""
    return today - timedelta(days=today.weekday() + 7)


def weekly_digest(*, now: datetime | None = None) -> int:
    """Queue last week's digest for every team with someone to send it to, each team in its own
    transaction (one team's trouble does not hold up the others). Returns the messages queued."""
    now = now or timezone.now()
    today = reporting.reporting_date(now)
    week = last_week(today)
    return sum(
        team_digest_send(audience=audience, week=week, today=today)
        for audience in selectors.digest_audiences()
    )
