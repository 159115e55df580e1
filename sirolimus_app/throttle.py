"""A per-address limit across usernames (password spraying).

django-axes locks a username+address pair after AXES_FAILURE_LIMIT failures; a separate,
higher limit per address alone stops one machine trying a few passwords on many accounts
without locking a whole ward, whose colleagues share a workstation (and mistype), out after
five slips. The count is axes' own table: failures from this address within the cool-off.
"""

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone


def address_failures(ip_address: str | None) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since
                                         ).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


class AddressThrottleBackend:
    """Before ModelBackend in AUTHENTICATION_BACKENDS: refuses every password check from an
    address over its limit (axes' middleware then answers with the lockout page), else lets
    the next backends decide. It signs nobody in, so it has no get_user()."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or password is None:
            return None
        if address_failures(get_client_ip_address(request)) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            raise PermissionDenied
        return None
