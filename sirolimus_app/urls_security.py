"""The second factor's pages and the patient's access log (issue 16)."""

from django.urls import path

from sirolimus_app.views import access_log, second_factor

urlpatterns = [
    path("compte/verification/", second_factor.verify, name="otp_verify"),
    path("compte/second-facteur/", second_factor.setup, name="otp_setup"),
    path("patients/<int:pk>/acces/", access_log.patient_access_log, name="patient_access_log"),
]
