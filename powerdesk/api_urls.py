from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.urls import include, path
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator
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


class SchemaOncePerProcess(SchemaGenerator):
    """The OpenAPI schema, generated once per language and version in each process. It is the same for
    every reader (served public: no endpoint is left out by the reader's rights) and changes only with the
    code, but generating it walks every view and serializer: about half a second a request."""

    _schemas: dict[tuple[str, str | None, bool], dict] = {}

    def get_schema(self, request=None, public=False):  # type: ignore[no-untyped-def]
        key = (get_language(), self.api_version, public)
        if key not in self._schemas:
            self._schemas[key] = super().get_schema(request=request, public=public)
        return self._schemas[key]


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(generator_class=SchemaOncePerProcess), name="api-schema"),
    path("docs/", docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("redoc/", docs_policy(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("v1/", include("powerdesk.api_v1_urls")),
]
