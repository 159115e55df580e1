"""The second factor's pages and the patient's access log (issue 16)."""

from django.urls import path

from sirolimus_app import oidc
from sirolimus_app.views import access_log, second_factor

urlpatterns = [
    path("compte/verification/", second_factor.verify, name="otp_verify"),
    path("compte/second-facteur/", second_factor.setup, name="otp_setup"),
    # The hospital's identity provider (404 unless OIDC is configured).
    path("compte/oidc/connexion/", oidc.authentication_request,
         name="oidc_authentication_init"),
    path("compte/oidc/retour/", oidc.authentication_callback,
         name="oidc_authentication_callback"),
    path("patients/<int:pk>/acces/", access_log.patient_access_log, name="patient_access_log"),
]
