"""The received messages are readable in the admin, never editable."""

from django.contrib.auth.models import User

from sirolimus_app.interop import hl7v2, importer
from tests.conftest import verify_second_factor

from .conftest import trough_ng


def test_admin_lists_received_messages_read_only(client, lea):
    importer.receive(trough_ng("MSG-0700"), format="hl7v2", channel="file", read=hl7v2.read)
    admin = User.objects.create_superuser("admin", password="motdepasse-test-solide")
    verify_second_factor(client, admin)  # the admin requires the second factor
    page = client.get("/admin/sirolimus_app/inboundmessage/")
    assert page.status_code == 200 and "MSG-0700" in page.content.decode()
    assert client.get("/admin/sirolimus_app/inboundmessage/add/").status_code == 403
    assert client.get("/admin/sirolimus_app/apitoken/").status_code == 200
