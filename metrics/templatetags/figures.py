"""Formatting a dashboard figure by its kind (count, duration in seconds, money, ratio)."""

from datetime import timedelta
from decimal import Decimal

from django import template

from core.templatetags import cornerstone

register = template.Library()


@register.filter
def figure(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "duration":
        return cornerstone.seconds(value)
    if kind == "money":
        return cornerstone.money(Decimal(value))
    if kind == "ratio":
        return cornerstone.percent(value)
    return f"{value:,.0f}"


@register.filter
def add_days(value, days: int):
    return value + timedelta(days=int(days))


@register.filter
def stat(week, spec: str):
    """`week|stat:"time_to_detect,p50"`: one statistic of one time metric of a dashboard week."""
    metric, which = spec.split(",")
    return week.stat(metric, which)


@register.filter
def severity_count(week, name: str) -> int:
    return week.severity(name)


@register.filter
def field(week, name: str):
    return week.get(name)
