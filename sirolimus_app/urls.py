"""Every URL of the site, grouped by area. Names and paths are stable: printed documents,
bookmarks and other hospital systems link to them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import set_language

from . import oidc
from .views import (
    access_log,
    account,
    corrections,
    dispensing,
    documents,
    health,
    home,
    nursing,
    patients,
    patients_detail,
    patients_entries,
    patients_treatment,
    pharmacy,
    second_factor,
)

account_pages = [
    path("connexion/", account.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", account.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/ok/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("verification/", second_factor.verify, name="otp_verify"),
    path("second-facteur/", second_factor.setup, name="otp_setup"),
    # The hospital's identity provider (404 unless OIDC is configured).
    path("oidc/connexion/", oidc.authentication_request, name="oidc_authentication_init"),
    path("oidc/retour/", oidc.authentication_callback, name="oidc_authentication_callback"),
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
    path("<int:pk>/acces/", access_log.patient_access_log, name="patient_access_log"),
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
    path("<int:pk>/dispenser/", dispensing.dispense, name="prescription_dispense"),
]

nursing_pages = [
    path("", nursing.worklist, name="nurse_worklist"),
    path("fait/", nursing.check_done, name="nurse_check_done"),
    path("fait/mesures/", nursing.check_vitals, name="nurse_check_vitals"),
    path("patients/<int:pk>/releves/<int:check_pk>/annuler/", nursing.check_undo,
         name="nurse_check_undo"),
    path("journee/", documents.day_sheet, name="nurse_day_sheet"),
    path("journee.pdf", documents.day_sheet_pdf, name="nurse_day_sheet_pdf"),
]

document_pages = [
    path("patients/<int:pk>/calendrier.pdf", documents.schedule_pdf,
         name="documents_schedule_pdf"),
    path("patients/<int:pk>/calendrier.ics", documents.schedule_ics,
         name="documents_schedule_ics"),
    path("patients/<int:pk>/synthese.pdf", documents.summary_pdf, name="documents_summary_pdf"),
    path("prescriptions/<int:pk>/fiche.pdf", documents.dose_sheet_pdf,
         name="documents_dose_sheet_pdf"),
    path("prescriptions/<int:pk>/ordonnance.pdf", documents.prescription_pdf,
         name="documents_prescription_pdf"),
    path("dispensations/<int:pk>/etiquette.pdf", documents.bottle_label_pdf,
         name="documents_bottle_label_pdf"),
    path("cohorte/", documents.cohort_index, name="documents_cohort"),
    path("cohorte/patients.csv", documents.cohort_csv, {"table": "patients"},
         name="documents_cohort_patients_csv"),
    path("cohorte/suivi.csv", documents.cohort_csv, {"table": "events"},
         name="documents_cohort_events_csv"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", home.favicon, name="favicon"),
    path("compte/", include(account_pages)),
    # RGAA: the accessibility statement is public, like the login page.
    path("accessibilite/",
         login_not_required(TemplateView.as_view(template_name="home/accessibility.html")),
         name="accessibility"),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("patients/", include(patient_pages)),
    path("pharmacie/", include(pharmacy_pages)),
    path("soins/", include(nursing_pages)),
    path("documents/", include(document_pages)),
    path("", include("sirolimus_app.interop.urls")),
    path("admin/", admin.site.urls),
]
