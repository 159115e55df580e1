"""The PDFs are tagged (PDF/UA-1) so that a screen reader reads them: a structure tree with
headings, paragraphs and tables, the language of the interface, the document's title shown."""

import io

import pypdf
import pytest
from django.urls import reverse

from tests.web.test_documents_factories import two_year_history

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    # url name, the pk to use, who prints it, the title in French and in English
    "schedule": ("documents_schedule_pdf", "patient", "nurse",
                 "Calendrier de surveillance", "Monitoring schedule"),
    "summary": ("documents_summary_pdf", "patient", "haematologist",
                "Synthèse du traitement", "Treatment summary"),
    "dose_sheet": ("documents_dose_sheet_pdf", "prescription", "pharmacist",
                   "Fiche de validation pharmaceutique", "Pharmacy validation sheet"),
}


def structure_tags(node, found: set[str], depth: int = 0) -> set[str]:
    """The structure types (/H1, /P, /Table…) under a node of the structure tree."""
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for child in node:
            structure_tags(child, found, depth + 1)
    elif isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]))
        if "/K" in node and depth < 60:
            structure_tags(node["/K"], found, depth + 1)
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_document_is_tagged_with_its_title_and_language(
        client, request, haematologist, nurse, pharmacist, document, language):
    history = two_year_history(haematologist, nurse, pharmacist, hospital_number="77050")
    url_name, kind, role, title_fr, title_en = DOCUMENTS[document]
    pk = history.patient.pk if kind == "patient" else history.prescriptions[0].pk
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(url_name, args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]

    assert root["/Lang"] == language
    title = reader.metadata["/Title"]
    assert title.startswith(title_fr if language == "fr" else title_en), title
    assert history.patient.last_name.upper() in title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]  # the title, not the file name
    assert root["/MarkInfo"]["/Marked"]
    tags = structure_tags(root["/StructTreeRoot"], set())
    # Headings, paragraphs and tables are told apart, as on the screen.
    assert {"/H1", "/P", "/Table", "/TH", "/TD"} <= tags, tags
