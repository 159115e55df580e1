from django.urls import path

from sirolimus_app.views import nursing, nursing_entries

urlpatterns = [
    path("", nursing.worklist, name="nurse_worklist"),
    path("fait/", nursing.check_done, name="nurse_check_done"),
    path("fait/mesures/", nursing_entries.check_vitals, name="nurse_check_vitals"),
    path("patients/<int:pk>/releves/<int:check_pk>/annuler/", nursing_entries.check_undo,
         name="nurse_check_undo"),
]
