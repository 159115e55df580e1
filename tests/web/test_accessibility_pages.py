"""The accessibility statement is public and linked from every page; no English passage is
left unmarked in a French page."""

import html as entities

import pytest
from django.urls import reverse

from tests.web.test_workflow_data import eligible_patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title", "remedy"), [
    ("fr", "Déclaration d'accessibilité", "Défenseur des droits"),
    ("en", "Accessibility statement", "Défenseur des droits"),
])
def test_statement_is_public_in_both_languages(client, language, title, remedy):
    response = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = entities.unescape(response.content.decode())
    assert f'<html lang="{language}">' in html
    assert title in html and remedy in html
    # The RGAA model's parts: state of conformity, what is not accessible, contact, remedies.
    for part in (("État de conformité", "Compliance status"),
                 ("Contenus non accessibles", "Non-accessible content"),
                 ("Retour d'information et contact", "Feedback and contact"),
                 ("Voies de recours", "Enforcement procedure")):
        assert part[0 if language == "fr" else 1] in html
    # The French postal address in the English page is marked as French.
    assert '<span lang="fr">Défenseur des droits, Libre réponse 71120' in html


def test_every_page_links_to_the_statement(client, haematologist):
    statement = f'href="{reverse("accessibility")}"'
    assert statement in client.get(reverse("login")).content.decode()
    client.force_login(haematologist)
    for url in (reverse("home"), reverse("patient_list"), reverse("password_change")):
        assert statement in client.get(url).content.decode(), url


def test_french_proposal_gives_the_formula_in_french(client, haematologist):
    patient = eligible_patient(haematologist, "IPP-990")
    client.force_login(haematologist)
    html = client.get(reverse("patient_proposal", args=[patient.pk])).content.decode()
    assert "√(taille cm × poids kg / 3600)" in html
    assert "height cm" not in html
    english = client.get(reverse("patient_proposal", args=[patient.pk]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "√(height cm × weight kg / 3600)" in english
