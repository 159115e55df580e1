"""The FHIR API: results in (Observation, Bundle) and a patient out ($everything), for
systems with a bearer token. JSON in and out; every failure an OperationOutcome."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sirolimus_app.models import ApiToken, InboundMessage, Patient
from sirolimus_app.services import audit
from sirolimus_app.services.engine import prefetch_clinical

from . import fhir_in, fhir_out, importer, tokens

FHIR_JSON = "application/fhir+json"
# What each fate of a received resource answers.
_STATUS = {InboundMessage.Fate.IMPORTED: 201, InboundMessage.Fate.REVIEW: 202,
           InboundMessage.Fate.DUPLICATE: 200, InboundMessage.Fate.REJECTED: 422,
           InboundMessage.Fate.ERROR: 422}


def _json(data: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                        content_type=FHIR_JSON)


def outcome(text: str, status: int, *, severity: str = "error", code: str = "processing"
            ) -> HttpResponse:
    return _json({"resourceType": "OperationOutcome",
                  "issue": [{"severity": severity, "code": code, "diagnostics": text}]}, status)


def _token(request, scope: str):
    try:
        return tokens.authenticate(request.headers.get("Authorization", ""), scope), None
    except tokens.TokenError as error:
        response = outcome(error.message, error.status,
                           code="login" if error.status == 401 else "forbidden")
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="fhir"'
        return None, response


def _receive(request, expected: str) -> HttpResponse:
    token, refused = _token(request, ApiToken.Scope.RESULTS_WRITE)
    if refused:
        return refused
    try:
        raw = request.body.decode("utf-8")
    except RequestDataTooBig:
        return outcome(f"Ressource trop volumineuse ({settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
                       "octets au plus) : envoyer les résultats en plusieurs Bundles.", 413,
                       code="too-costly")
    except UnicodeDecodeError:
        return outcome("Le corps doit être du JSON en UTF-8.", 400, code="invalid")
    result = importer.receive(raw, format=InboundMessage.Format.FHIR,
                              channel=InboundMessage.Channel.API,
                              read=fhir_in.reader(expected), sender=f"api:{token.name}")
    fate = result.message.fate
    ok = result.ack == "AA"
    return outcome(result.reason or result.message.get_fate_display(), _STATUS[fate],
                   severity="information" if ok else "error",
                   code="informational" if ok else "invalid")


@csrf_exempt  # no cookies: the bearer token is the credential
@login_not_required
@require_POST
def post_observation(request):
    return _receive(request, "Observation")


@csrf_exempt
@login_not_required
@require_POST
def post_bundle(request):
    return _receive(request, "Bundle")


@login_not_required
@require_GET
def patient_everything(request, pk: int):
    token, refused = _token(request, ApiToken.Scope.PATIENTS_READ)
    if refused:
        return refused
    patient = (prefetch_clinical(Patient.objects.all(), with_authors=True)
               .filter(pk=pk).first())
    if patient is None:
        return outcome(f"Aucun patient {pk}.", 404, code="not-found")
    audit.record(None, "patient.fhir_read", patient,
                 after={"token": token.name, "resource": f"Patient/{pk}/$everything"})
    return _json(fhir_out.everything(patient), 200)
