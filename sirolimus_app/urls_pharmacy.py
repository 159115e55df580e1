from django.urls import path

from sirolimus_app.views import dispensing, pharmacy

urlpatterns = [
    path("", pharmacy.worklist, name="pharmacy_worklist"),
    path("<int:pk>/", pharmacy.review, name="prescription_review"),
    path("<int:pk>/valider/", pharmacy.validate, name="prescription_validate"),
    path("<int:pk>/refuser/", pharmacy.reject, name="prescription_reject"),
    path("<int:pk>/dispenser/", dispensing.dispense, name="prescription_dispense"),
]
