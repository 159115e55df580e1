"""The bench's import figure runs on a seeded registry and imports every result (its time is
read in `make bench`, never asserted here)."""

from django.utils import timezone

from sirolimus_app.bench.imports import import_seconds
from sirolimus_app.bench.registry import seed_registry
from sirolimus_app.models import InboundMessage, TroughLevel


def test_the_bench_imports_every_result(db):
    seed_registry(4, timezone.localdate())
    troughs = TroughLevel.objects.count()
    assert import_seconds(12) >= 0
    assert InboundMessage.objects.filter(fate="imported").count() == 12
    assert TroughLevel.objects.count() == troughs + 12
