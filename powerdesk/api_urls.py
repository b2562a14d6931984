from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.urls import include, path
from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.response import Response

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


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per language and version in each process. It is the same for
    every reader (served public: no endpoint is left out by the reader's rights) and changes only with the
    code, but generating it walks every view and serializer: about half a second a request."""

    _schemas: dict[tuple[str, str | None], dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (get_language(), version)
        if key not in self._schemas:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self._schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self._schemas[key], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("redoc/", docs_policy(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("v1/", include("powerdesk.api_v1_urls")),
]
