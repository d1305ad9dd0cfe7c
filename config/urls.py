from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import health, operations
from core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list", permanent=False), name="home"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("operations/", operations.operations, name="operations"),
    path(
        "operations/failures/<int:failure_id>/retry/",
        operations.failure_retry,
        name="operations_failure_retry",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", core_views.preferences, name="preferences"),
    path("preferences/tokens/", core_views.api_token_create, name="api_token_create"),
    path("preferences/tokens/<int:token_id>/revoke/", core_views.api_token_revoke, name="api_token_revoke"),
    path("", include("notifications.urls_inbox")),
    path("api/v1/", include("config.api_urls")),
    # The schema and its docs are public (they hold no data), so tools can fetch them without a token.
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves its start-up script from a URL of its own: no inline script (CSP).
    path(
        "api/docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
    path("", include("alerts.urls")),
    path("", include("coe.urls")),
    path("", include("notifications.urls")),
    path("", include("metrics.urls")),
    path("", include("incidents.urls")),
]

# Under /api/ these answer JSON like the API's own errors (core/error_pages.py); pages keep Django's.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
