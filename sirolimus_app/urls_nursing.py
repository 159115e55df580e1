from django.urls import path

from sirolimus_app.views import nursing

urlpatterns = [
    path("", nursing.worklist, name="nurse_worklist"),
    path("fait/", nursing.check_done, name="nurse_check_done"),
]
