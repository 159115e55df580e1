"""Writing the access log: one INSERT per page or document with patient data, from what the
request already holds (no read; the pages' query counts grow by exactly one)."""

from axes.helpers import get_client_ip_address

from sirolimus_app.models import AccessLogEntry

Page = AccessLogEntry.Page


def record(request, page: str, patient_id: int | None, ref: str = "") -> None:
    user = request.user
    AccessLogEntry.objects.create(
        user=user, username=user.get_username(), user_full_name=user.get_full_name(),
        # The address the lockout uses too (the connection's, unless a proxy is configured).
        ip_address=get_client_ip_address(request) or None,
        page=page, patient_id=patient_id, object_ref=ref)
