from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve

# A lost database answers 503, not 500, wherever it shows (powerdesk.core.unavailable).
handler500 = "powerdesk.core.unavailable.server_error"
# An unknown path under /api/ answers the API's error body, not an HTML page (powerdesk.core.apiedge).
handler404 = "powerdesk.core.apiedge.page_not_found"

urlpatterns = [
    # Pages without the console's <link rel="icon"> (the admin, the API docs) and browsers that ask anyway.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    # /healthz, /readyz, /metrics: probes and the Prometheus scrape (powerdesk.ops, docs/deploy.md).
    path("", include("powerdesk.ops.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", include("powerdesk.org.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("powerdesk.api_urls")),
    path("customers/", include("powerdesk.customers.urls")),
    path("grid/", include("powerdesk.grid.urls")),
    path("outages/", include("powerdesk.outages.urls")),
    path("orders/", include("powerdesk.workorders.urls")),
    path("sla/", include("powerdesk.sla.urls")),
    path("notify/", include("powerdesk.notify.urls")),
    path("complaints/", include("powerdesk.complaints.urls")),
    path("applications/", include("powerdesk.applications.urls")),
    # the case library (/cases/) and the scripts (/scripts/)
    path("", include("powerdesk.knowledge.urls")),
    path("risk/", include("powerdesk.risk.urls")),
    path("triage/", include("powerdesk.triage.urls")),
    path("reliability/", include("powerdesk.reliability.urls")),
    path("analytics/", include("powerdesk.analytics.urls")),
    path("exports/", include("powerdesk.exports.urls")),
    path("audit/", include("powerdesk.audit.urls")),
    path("privacy/", include("powerdesk.privacy.urls")),
    path("feedback/", include("powerdesk.feedback.urls")),
    path("p/", include("powerdesk.feedback.public_urls")),
    path("portal/", include("powerdesk.portal.urls")),
    # The hall clerk's side of the portal's proofs (a console page: staff login, not the portal's cookie).
    path("hall/", include("powerdesk.portal.hall_urls")),
    path("", include("powerdesk.console.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
