from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# The API docs pages' own Content-Security-Policy. Their scripts are files of the sidecar package served
# from here (the Swagger page loads its start-up script from its own URL, ?script, instead of inline), but
# Swagger UI and Redoc style themselves inline, show data: images, and Redoc parses in a blob: worker.
API_DOCS_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "worker-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
docs_policy = csp(API_DOCS_POLICY)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("redoc/", docs_policy(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("v1/", include("powerdesk.api_v1_urls")),
]
