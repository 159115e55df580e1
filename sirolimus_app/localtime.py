"""The hospital's calendar date of a moment: shared by every layer (a base module, like i18n)."""

from datetime import date

from django.utils import timezone


def local_date(moment) -> date:
    """The hospital's (settings.TIME_ZONE, Europe/Paris) date of an aware moment. The zone is
    named rather than looked up as the current one: pages convert hundreds of these."""
    return timezone.localdate(moment, timezone.get_default_timezone())
