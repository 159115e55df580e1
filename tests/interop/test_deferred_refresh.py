"""A batch refreshes each patient's stored schedule once, at its end, in its transaction."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from sirolimus_app.models import PatientStatus, ScheduleItem, TroughLevel
from sirolimus_app.services import records
from sirolimus_app.services.schedule import refreshes_deferred
from tests.web.test_workflow_data import aware


def test_the_refresh_waits_for_the_end_of_the_batch(haematologist, lea):
    day = timezone.localdate() - timedelta(days=1)
    with refreshes_deferred():
        records.add_trough(haematologist, TroughLevel(patient=lea, sampled_at=aware(day, 7),
                                                      value=Decimal("22")))
        assert not PatientStatus.objects.get(patient=lea).toxic_trough  # not yet
        with refreshes_deferred():  # nested: the outer block refreshes
            records.add_trough(haematologist, TroughLevel(
                patient=lea, sampled_at=aware(day, 8), value=Decimal("23")))
        assert not PatientStatus.objects.get(patient=lea).toxic_trough
    assert PatientStatus.objects.get(patient=lea).toxic_trough
    # Outside a batch, each change refreshes at once, as before (the row is rewritten).
    def rows():
        return set(ScheduleItem.objects.filter(patient=lea).values_list("pk", flat=True))

    before = rows()
    records.add_trough(haematologist, TroughLevel(patient=lea, sampled_at=aware(day, 9),
                                                  value=Decimal("6")))
    assert before and rows().isdisjoint(before)
