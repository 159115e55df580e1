"""Stable URLs of the documents: links printed or bookmarked elsewhere must keep working."""

from django.urls import path

from sirolimus_app.views import documents, papers

urlpatterns = [
    path("patients/<int:pk>/calendrier.pdf", documents.schedule_pdf,
         name="documents_schedule_pdf"),
    path("patients/<int:pk>/calendrier.ics", documents.schedule_ics,
         name="documents_schedule_ics"),
    path("patients/<int:pk>/synthese.pdf", documents.summary_pdf, name="documents_summary_pdf"),
    path("prescriptions/<int:pk>/fiche.pdf", documents.dose_sheet_pdf,
         name="documents_dose_sheet_pdf"),
    path("prescriptions/<int:pk>/ordonnance.pdf", papers.prescription_pdf,
         name="documents_prescription_pdf"),
    path("dispensations/<int:pk>/etiquette.pdf", papers.bottle_label_pdf,
         name="documents_bottle_label_pdf"),
    path("cohorte/", documents.cohort_index, name="documents_cohort"),
    path("cohorte/patients.csv", documents.cohort_csv, {"table": "patients"},
         name="documents_cohort_patients_csv"),
    path("cohorte/suivi.csv", documents.cohort_csv, {"table": "events"},
         name="documents_cohort_events_csv"),
]
