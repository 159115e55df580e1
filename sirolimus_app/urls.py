"""Every URL of the site, grouped by area. Names and paths are stable: printed documents,
bookmarks and other hospital systems link to them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.urls import include, path
from django.views.i18n import set_language

from .views import (
    corrections,
    documents,
    home,
    nursing,
    patients,
    patients_detail,
    patients_entries,
    patients_treatment,
    pharmacy,
)

account = [
    # axes needs the request passed to authenticate(), which Django's login form does.
    path("connexion/",
         auth_views.LoginView.as_view(authentication_form=AuthenticationForm,
                                      redirect_authenticated_user=True),
         name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/ok/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
]

patient_pages = [
    path("", patients.patient_list, name="patient_list"),
    path("nouveau/", patients.patient_create, name="patient_create"),
    path("<int:pk>/", patients_detail.patient_detail, name="patient_detail"),
    path("<int:pk>/modifier/", patients.patient_edit, name="patient_edit"),
    path("<int:pk>/saisies/<slug:kind>/<int:record_pk>/annuler/", corrections.record_void,
         name="record_void"),
    path("<int:pk>/saisies/<slug:kind>/<int:record_pk>/corriger/", corrections.record_correct,
         name="record_correct"),
    path("<int:pk>/eligibilite/", patients_detail.patient_eligibility,
         name="patient_eligibility"),
    path("<int:pk>/proposition/", patients_detail.patient_proposal, name="patient_proposal"),
    path("<int:pk>/historique/", patients_detail.patient_history, name="patient_history"),
    path("<int:pk>/suspendre/", patients_treatment.patient_suspend, name="patient_suspend"),
    path("<int:pk>/arreter/", patients_treatment.patient_stop, name="patient_stop"),
    path("<int:pk>/prescriptions/<int:prescription_pk>/retirer/",
         patients_treatment.prescription_withdraw, name="prescription_withdraw"),
    path("<int:pk>/prescriptions/<int:prescription_pk>/re-proposer/",
         patients_treatment.prescription_repropose, name="prescription_repropose"),
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

pharmacy_pages = [
    path("", pharmacy.worklist, name="pharmacy_worklist"),
    path("<int:pk>/", pharmacy.review, name="prescription_review"),
    path("<int:pk>/valider/", pharmacy.validate, name="prescription_validate"),
    path("<int:pk>/refuser/", pharmacy.reject, name="prescription_reject"),
]

nursing_pages = [
    path("", nursing.worklist, name="nurse_worklist"),
    path("fait/", nursing.check_done, name="nurse_check_done"),
    path("fait/mesures/", nursing.check_vitals, name="nurse_check_vitals"),
    path("patients/<int:pk>/releves/<int:check_pk>/annuler/", nursing.check_undo,
         name="nurse_check_undo"),
]

document_pages = [
    path("patients/<int:pk>/calendrier.pdf", documents.schedule_pdf,
         name="documents_schedule_pdf"),
    path("patients/<int:pk>/calendrier.ics", documents.schedule_ics,
         name="documents_schedule_ics"),
    path("patients/<int:pk>/synthese.pdf", documents.summary_pdf, name="documents_summary_pdf"),
    path("prescriptions/<int:pk>/fiche.pdf", documents.dose_sheet_pdf,
         name="documents_dose_sheet_pdf"),
    path("cohorte/", documents.cohort_index, name="documents_cohort"),
    path("cohorte/patients.csv", documents.cohort_csv, {"table": "patients"},
         name="documents_cohort_patients_csv"),
    path("cohorte/suivi.csv", documents.cohort_csv, {"table": "events"},
         name="documents_cohort_events_csv"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("compte/", include(account)),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("patients/", include(patient_pages)),
    path("pharmacie/", include(pharmacy_pages)),
    path("soins/", include(nursing_pages)),
    path("documents/", include(document_pages)),
    path("admin/", admin.site.urls),
]
