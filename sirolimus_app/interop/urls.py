from django.urls import path

from . import api, views

urlpatterns = [
    path("resultats-recus/", views.review_list, name="interop_review"),
    path("resultats-recus/<int:pk>/rattacher/", views.attach, name="interop_attach"),
    path("resultats-recus/<int:pk>/ecarter/", views.reject, name="interop_reject"),
    path("api/fhir/Observation", api.post_observation, name="fhir_observation"),
    path("api/fhir/Bundle", api.post_bundle, name="fhir_bundle"),
    path("api/fhir/Patient/<int:pk>/$everything", api.patient_everything,
         name="fhir_patient_everything"),
]
