from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from core import health
from core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list", permanent=False), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", core_views.preferences, name="preferences"),
    path("admin/", admin.site.urls),
    path("", include("incidents.urls")),
]
