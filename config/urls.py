from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from common.api import not_found as api_not_found
from common.forms import AdminEmailAuthenticationForm, EmailAuthenticationForm
from ops import views as ops_views
from web.accounts import second_factor_views
from web.accounts import views as common_views
from web.jury import organiser_views as jury_organiser_views

admin.site.site_header = _("Volunteer prizes: management")
admin.site.site_title = _("Volunteer prizes")
admin.site.index_title = _("Management")
# The admin's sign-in counts failures like the site's own (issue 11, finding 2).
admin.site.login_form = AdminEmailAuthenticationForm

# The API docs: Redoc from drf-spectacular-sidecar (our own static files, no CDN). Redoc writes
# its styles as <style> elements at run time and runs its search in a blob: worker, so this
# page alone allows inline styles and blob: workers; its scripts stay 'self' like everywhere.
api_docs = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="common/api_docs.html")
)

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "inloggen/",
        auth_views.LoginView.as_view(
            template_name="common/login.html", authentication_form=EmailAuthenticationForm
        ),
        name="login",
    ),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("aanmelden/", common_views.magic_request, name="magic-request"),
    path("aanmelden/verstuurd/", common_views.magic_sent, name="magic-sent"),
    path("inloggen/link/<str:token>/", common_views.magic_link, name="magic-link"),
    path("tweestaps/instellen/", second_factor_views.setup, name="second-factor-setup"),
    path("tweestaps/", second_factor_views.verify, name="second-factor-verify"),
    path("api-sleutels/", common_views.api_tokens, name="api-tokens"),
    path(
        "api-sleutels/<int:pk>/intrekken/", common_views.api_token_revoke, name="api-token-revoke"
    ),
    path("beheer/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api/", api_not_found),  # unknown API addresses: 404 in the one error shape
    path("organisatie/", jury_organiser_views.workspace, name="organiser-home"),
    path("jury/", include("web.jury.urls")),
    path("", include("web.prijzen.urls")),
]
