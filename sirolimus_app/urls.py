from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView
from django.views.i18n import set_language

from .forms_auth import LoginForm
from .views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("compte/connexion/",
         auth_views.LoginView.as_view(authentication_form=LoginForm,
                                      redirect_authenticated_user=True),
         name="login"),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/mot-de-passe/", auth_views.PasswordChangeView.as_view(),
         name="password_change"),
    path("compte/mot-de-passe/ok/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    # RGAA: the accessibility statement is public, like the login page.
    path("accessibilite/",
         login_not_required(TemplateView.as_view(template_name="home/accessibility.html")),
         name="accessibility"),
    # The language switch must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # One URL module per area, each owned by one views module.
    path("patients/", include("sirolimus_app.urls_patients")),
    path("pharmacie/", include("sirolimus_app.urls_pharmacy")),
    path("soins/", include("sirolimus_app.urls_nursing")),
    path("documents/", include("sirolimus_app.urls_documents")),
    path("admin/", admin.site.urls),
]
