from django.urls import path

from sirolimus_app.views import nursing, papers

urlpatterns = [
    path("", nursing.worklist, name="nurse_worklist"),
    path("fait/", nursing.check_done, name="nurse_check_done"),
    path("journee/", papers.day_sheet, name="nurse_day_sheet"),
    path("journee.pdf", papers.day_sheet_pdf, name="nurse_day_sheet_pdf"),
]
