from django.urls import path

from sirolimus_app.views import patients, patients_detail, patients_entries, patients_treatment

urlpatterns = [
    path("", patients.patient_list, name="patient_list"),
    path("nouveau/", patients.patient_create, name="patient_create"),
    path("<int:pk>/", patients_detail.patient_detail, name="patient_detail"),
    path("<int:pk>/modifier/", patients.patient_edit, name="patient_edit"),
    path("<int:pk>/eligibilite/", patients_detail.patient_eligibility,
         name="patient_eligibility"),
    path("<int:pk>/proposition/", patients_detail.patient_proposal, name="patient_proposal"),
    path("<int:pk>/historique/", patients_detail.patient_history, name="patient_history"),
    path("<int:pk>/suspendre/", patients_treatment.patient_suspend, name="patient_suspend"),
    path("<int:pk>/arreter/", patients_treatment.patient_stop, name="patient_stop"),
    path("<int:pk>/prescriptions/<int:prescription_pk>/retirer/",
         patients_treatment.prescription_withdraw, name="prescription_withdraw"),
    path("<int:pk>/residuels/nouveau/", patients_entries.trough_add, name="trough_add"),
    path("<int:pk>/biologie/nouveau/", patients_entries.lab_add, name="lab_add"),
    path("<int:pk>/visites/nouvelle/", patients_entries.visit_add, name="visit_add"),
    path("<int:pk>/visites/<int:visit_pk>/modifier/", patients_entries.visit_edit,
         name="visit_edit"),
    path("<int:pk>/effets-indesirables/nouveau/", patients_entries.adverse_event_add,
         name="adverse_event_add"),
    path("<int:pk>/mesures/nouvelle/", patients_entries.measurement_add,
         name="measurement_add"),
    path("<int:pk>/traitements-associes/nouveau/", patients_entries.comedication_add,
         name="comedication_add"),
    path("<int:pk>/traitements-associes/<int:comedication_pk>/modifier/",
         patients_entries.comedication_edit, name="comedication_edit"),
]
