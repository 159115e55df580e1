from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
