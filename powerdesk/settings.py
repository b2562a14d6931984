"""Django settings, read from environment variables only: importing them starts nothing and writes nothing.

The entry points (``powerdesk``, ``manage.py``, the test session, the benchmarks) call
:func:`powerdesk.launcher.launch` first, which sets ``DATABASE_URL`` (starting the embedded PostgreSQL under
``var/`` when none is given) and ``POWERDESK_SECRET_KEY``. Without them the settings still import (mypy,
``django-admin``), and the first query says how to get a database.
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("POWERDESK_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("POWERDESK_DEBUG", False)
# The launcher exports the key it keeps in var/secret_key when none is given. Left empty, Django refuses to
# sign anything (sessions, CSRF tokens) rather than sign with a guessable key.
SECRET_KEY = os.environ.get("POWERDESK_SECRET_KEY", "")

ALLOWED_HOSTS = [
    h for h in os.environ.get("POWERDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("POWERDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "powerdesk.core.staticstorage.StaticFilesConfig",  # django.contrib.staticfiles, without source maps
    "django.contrib.postgres",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "procrastinate.contrib.django",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "powerdesk.core",
    "powerdesk.org",
    "powerdesk.audit",
    "powerdesk.grid",
    "powerdesk.customers",
    "powerdesk.workorders",
    "powerdesk.notify",
    "powerdesk.sla",
    "powerdesk.triage",
    "powerdesk.complaints",
    "powerdesk.feedback",
    "powerdesk.knowledge",
    "powerdesk.outages",
    "powerdesk.applications",
    "powerdesk.risk",
    "powerdesk.reliability",
    "powerdesk.analytics",
    "powerdesk.exports",
    "powerdesk.portal",
    "powerdesk.privacy",
    "powerdesk.console",
    "powerdesk.demo",
]

MIDDLEWARE = [
    # First: every later log line carries the request's id; the timing covers the whole chain (docs/deploy.md,
    # "Monitoring").
    "powerdesk.core.logs.RequestIdMiddleware",
    "powerdesk.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, the unchanging policy header built once (powerdesk.core.csp).
    "powerdesk.core.csp.CachedPolicyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "powerdesk.core.middleware.ChosenLanguageMiddleware",
    "powerdesk.core.unavailable.DatabaseUnavailableMiddleware",
    "powerdesk.core.apiedge.LengthRequiredMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a session past its absolute lifetime is ended; request.user.is_verified().
    "powerdesk.core.sessions.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Pages and answers for a signed-in user (console or API token) are never stored by a browser or proxy.
    "powerdesk.core.sessions.NoStoreForUsersMiddleware",
    # Roles that need a second factor reach nothing but its enrolment and verification pages without one.
    "powerdesk.org.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "powerdesk.audit.middleware.AuditContextMiddleware",
    # Last: it turns a login refused for too many failures into the lockout page (org.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "powerdesk.urls"
WSGI_APPLICATION = "powerdesk.wsgi.application"
AUTH_USER_MODEL = "org.User"
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "powerdesk.org.auth.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Form widgets render through the project's templates, so one of Django's widget templates can be
# overridden (templates/django/forms/widgets/select.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "powerdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Two URLs for the two database roles (docs/deploy.md, "Database roles"): DATABASE_URL for the web and the
# worker, POWERDESK_OWNER_DATABASE_URL (by default the same) for what owns the schema: migrations, the demo
# reset, the test set-up. POWERDESK_DB_ROLE (owner, app, or none) says which one this process uses; the
# launcher sets it for each entry point.
_db_role = os.environ.get("POWERDESK_DB_ROLE", "app")
_app_url = os.environ.get("DATABASE_URL", "")
_url = (os.environ.get("POWERDESK_OWNER_DATABASE_URL", "") or _app_url) if _db_role == "owner" else _app_url
# The application role, DATABASE_URL's user: the owner grants it its rights after every migrate
# (powerdesk.core.dbroles).
POWERDESK_APP_DB_USER = ""
if _app_url:
    import dj_database_url

    POWERDESK_APP_DB_USER = dj_database_url.parse(_app_url).get("USER") or ""
DATABASES: dict[str, dict[str, Any]]
if _url:
    import dj_database_url

    DATABASES = {"default": dict(dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True))}
elif _db_role == "none":
    # A command that needs no database (check, makemigrations): Django's own stand-in, which makemigrations
    # knows not to ask for its migration history.
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy", "NAME": "powerdesk"}}
else:
    # Nothing launched this process: queries raise an error that says what to do (powerdesk.nodatabase).
    DATABASES = {"default": {"ENGINE": "powerdesk.nodatabase", "NAME": "powerdesk"}}
# POWERDESK_DB_NAME points a process at another database on the same server (the browser tests run
# gunicorn against the test database this way).
if os.environ.get("POWERDESK_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["POWERDESK_DB_NAME"]
# Parallel test runs on one server (e.g. several checkouts) pick distinct test databases.
_test_suffix = os.environ.get("POWERDESK_TEST_DB_SUFFIX", "")
DATABASES["default"]["TEST"] = {
    "NAME": f"test_{DATABASES['default']['NAME']}{'_' + _test_suffix if _test_suffix else ''}"
}
# Parameters are sent apart from the statement (server-side binding): psycopg then passes a list of a
# thousand values as one array instead of quoting each into the SQL text, and a statement the process
# sends again and again is prepared once per connection (after POWERDESK_DB_PREPARE_THRESHOLD runs; set it
# to off behind a connection pooler in transaction mode that cannot keep prepared statements).
_prepare = os.environ.get("POWERDESK_DB_PREPARE_THRESHOLD", "5").strip().lower()
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True, prepare_threshold=None if _prepare in {"off", "none", ""} else int(_prepare)
)
# A database that does not answer (a host gone from the network) fails a connection attempt within this
# many seconds, so a request answers 503 (powerdesk.core.unavailable) long before gunicorn's worker
# timeout would kill the worker, and the workers do not die one after another while it is away.
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", int(os.environ.get("POWERDESK_DB_CONNECT_TIMEOUT", "5"))
)
# A read replica (a streaming-replication standby) for the dashboards' and monthly reports' reads
# (powerdesk.analytics.reads; docs/deploy.md): the same options as the default connection, its test
# database the default one (Django's MIRROR), so tests of the routing need no second server.
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if _replica_url and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    import dj_database_url

    _replica: dict[str, Any] = dict(
        dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    )
    _replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "powerdesk" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploads ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("POWERDESK_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "powerdesk" / "static"]
MEDIA_ROOT = Path(os.environ.get("POWERDESK_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    # Files appear whole or not at all, and a full disk is a clear error (powerdesk/core/storage.py).
    "default": {"BACKEND": "powerdesk.core.storage.WholeFileSystemStorage"},
    # Compressed again only when a file changed, not at every start (powerdesk/core/staticstorage.py).
    "staticfiles": {"BACKEND": "powerdesk.core.staticstorage.FreshCompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "powerdesk.org.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "powerdesk.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "powerdesk.core.api.Pagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PowerDesk API",
    "DESCRIPTION": "Work orders, customers and intake for integrations (IVR/CTI, apps, field devices).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A paginated list documents its 400 (bad page) and 404 (past the last page): powerdesk.core.api.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "powerdesk.core.api.paginated_errors_hook",
    ],
    # Several apps have a "state" field; the case library's gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "powerdesk.knowledge.models.CaseState",
        "ScriptKindEnum": "powerdesk.knowledge.models.ScriptKind",
        # The channel a contact came in by (the order intake, the applications); the messages' channel
        # (sms, email, …) is another set under the same field name.
        "ChannelEnum": "powerdesk.workorders.choices.Channel",
        # How the 一次性告知 list was given: the applications' start and the order intake's field.
        "NoticeChannelEnum": "powerdesk.applications.models.NoticeChannel",
    },
}

# --- logging --------------------------------------------------------------------------------
# One JSON object a line on standard error, with the request's id, secrets blanked (powerdesk.core.logs).
# POWERDESK_LOG_FORMAT=text: plain lines (a developer's terminal).
_log_format = os.environ.get("POWERDESK_LOG_FORMAT", "json").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "powerdesk.core.logs.RequestIdFilter"},
        "redact": {"()": "powerdesk.core.logs.RedactingFilter"},
    },
    "formatters": {
        "json": {"()": "powerdesk.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "text" if _log_format == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("POWERDESK_LOG_LEVEL", "WARNING")},
    "loggers": {"procrastinate": {"level": "WARNING"}},
}

# --- monitoring (powerdesk.ops; docs/deploy.md, "Monitoring") ----------------------------------------
# /metrics answers only a request with the bearer token POWERDESK_METRICS_TOKEN, or from an address (or
# network) of POWERDESK_METRICS_ALLOW (the client's address as powerdesk.core.net reads it); neither set:
# nobody. /healthz and /readyz answer everyone and say nothing but what is up.
POWERDESK_METRICS_TOKEN = os.environ.get("POWERDESK_METRICS_TOKEN", "")
POWERDESK_METRICS_ALLOW = [
    a.strip() for a in os.environ.get("POWERDESK_METRICS_ALLOW", "").split(",") if a.strip()
]
# Probes and scrapers talk plain http to each node, past the TLS proxy: no redirect to https for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# --- transport, sessions, the browser's policy (docs/deploy.md: "Transport, sessions and …") ---
# POWERDESK_HTTPS: browsers reach this deployment over HTTPS (directly or through a TLS proxy). On unless
# told otherwise, so a production install is safe without a word; the launcher turns it off when it starts
# the embedded database (the demo and the tests on plain http://127.0.0.1:8000, where Secure cookies would
# never come back and a redirect to https would lead nowhere). Each setting it implies has its own variable.
POWERDESK_HTTPS = _env_bool("POWERDESK_HTTPS", True)
SESSION_COOKIE_SECURE = _env_bool("POWERDESK_SESSION_COOKIE_SECURE", POWERDESK_HTTPS)
CSRF_COOKIE_SECURE = _env_bool("POWERDESK_CSRF_COOKIE_SECURE", POWERDESK_HTTPS)
SECURE_SSL_REDIRECT = _env_bool("POWERDESK_SSL_REDIRECT", POWERDESK_HTTPS)
# Sent on HTTPS answers only (SecurityMiddleware). A year, without subdomains or preload: both bind every
# other site of the domain to HTTPS and cannot be taken back quickly, so they are the operator's choice.
SECURE_HSTS_SECONDS = int(os.environ.get("POWERDESK_HSTS_SECONDS", "31536000" if POWERDESK_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("POWERDESK_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("POWERDESK_HSTS_PRELOAD", False)
# Behind a proxy that terminates TLS: the header it sets to "https" (e.g. X-Forwarded-Proto). Believe it only
# when the proxy always overwrites it, as nginx's `proxy_set_header X-Forwarded-Proto $scheme` does: a client
# could send it too. Without it, every proxied request looks like plain http and SSL redirect loops.
_proxy_ssl_header = os.environ.get("POWERDESK_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sessions end after POWERDESK_SESSION_IDLE_MINUTES without a request (sliding: core.sessions saves a
# signed-in session, and so pushes its expiry on, at most once a minute rather than on every request as
# SESSION_SAVE_EVERY_REQUEST would), and in any case POWERDESK_SESSION_MAX_HOURS after sign-in, so a
# session kept alive by a forgotten tab still ends. Closing the browser ends it too.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("POWERDESK_SESSION_IDLE_MINUTES", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
POWERDESK_SESSION_MAX_HOURS = int(os.environ.get("POWERDESK_SESSION_MAX_HOURS", "12"))

# Content-Security-Policy (django-csp): scripts only from this site's files, never inline; no plugins, no
# framing, forms post here only. Inline style attributes are still allowed until the templates lose them.
# The API docs pages have a policy of their own (powerdesk.api_urls). POWERDESK_CSP_REPORT_URI: where
# browsers report violations (empty: nowhere).
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402 - beside the policy it spells

CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if os.environ.get("POWERDESK_CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [os.environ["POWERDESK_CSP_REPORT_URI"]]

# A second factor (django-otp, TOTP) for the roles flagged org.Role.requires_second_factor (the seeded
# administrator and managers): off by default; on, such a user reaches nothing after the password but the
# enrolment page (first time) or the code page (org.second_factor).
POWERDESK_REQUIRE_SECOND_FACTOR = _env_bool("POWERDESK_REQUIRE_SECOND_FACTOR", False)
OTP_TOTP_ISSUER = os.environ.get("POWERDESK_OTP_ISSUER", "PowerDesk")

# --- notifications (powerdesk.notify) ----------------------------------------------------------
# SMS goes to the HTTP gateway only when POWERDESK_NOTIFY_TRANSPORT_SMS=http; by default ("console") every
# SMS is appended to the outbox file, as are WeChat and console notifications.
POWERDESK_NOTIFY_TRANSPORT_SMS = os.environ.get("POWERDESK_NOTIFY_TRANSPORT_SMS", "console")
POWERDESK_SMS_URL = os.environ.get("POWERDESK_SMS_URL", "")  # the gateway's send endpoint (POST JSON)
POWERDESK_SMS_KEY = os.environ.get("POWERDESK_SMS_KEY", "")  # sent as the X-Api-Key header
POWERDESK_SMS_SIGN = os.environ.get(
    "POWERDESK_SMS_SIGN", ""
)  # the registered SMS signature, e.g. 【国网青溪供电】
# The gateway's delivery-receipt callback (POST /api/v1/notify/receipts/) is signed with this shared secret:
# X-Signature: sha256=<hex HMAC-SHA256 of the raw body>. Empty: the callback refuses every request.
POWERDESK_SMS_CALLBACK_SECRET = os.environ.get("POWERDESK_SMS_CALLBACK_SECRET", "")
# Addresses the outbox (the recorded transport) reports undelivered in its simulated receipts (demo, tests).
POWERDESK_NOTIFY_UNDELIVERABLE = [
    a.strip() for a in os.environ.get("POWERDESK_NOTIFY_UNDELIVERABLE", "").split(",") if a.strip()
]
POWERDESK_NOTIFY_OUTBOX = Path(os.environ.get("POWERDESK_NOTIFY_OUTBOX", VAR_DIR / "outbox"))

# --- applications (powerdesk.applications) ------------------------------------------------------------
# The marketing system (营销系统) hears of each completed application step: by HTTP (POST JSON) when
# POWERDESK_MARKETING_TRANSPORT=http, else ("outbox") as a line of <outbox>/marketing.jsonl.
POWERDESK_MARKETING_TRANSPORT = os.environ.get("POWERDESK_MARKETING_TRANSPORT", "outbox")
POWERDESK_MARKETING_URL = os.environ.get("POWERDESK_MARKETING_URL", "")
POWERDESK_MARKETING_KEY = os.environ.get("POWERDESK_MARKETING_KEY", "")

# --- exports (powerdesk.exports) ------------------------------------------------------------------
# Where background exports write their .xlsx files and the web process reads them for download: a
# directory both see (on several hosts, a shared mount). How long files are kept is data (导出设置).
POWERDESK_EXPORT_ROOT = Path(os.environ.get("POWERDESK_EXPORT_ROOT", VAR_DIR / "exports"))
# E-mail uses Django's settings; without EMAIL_BACKEND it prints to the worker's console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "powerdesk@localhost")

# --- public pages (powerdesk.feedback: the survey link, the opinion box) -------------------------
# The address customers reach this site at (behind the proxy that publishes it): links sent by SMS and the
# opinion box's QR codes are built on it. Requests per client address and minute on those pages.
POWERDESK_PUBLIC_BASE_URL = os.environ.get("POWERDESK_PUBLIC_BASE_URL", "http://localhost:8000")
POWERDESK_PUBLIC_RATE = int(os.environ.get("POWERDESK_PUBLIC_RATE", "30"))
# The public pages post forms from that origin (its host must be in POWERDESK_ALLOWED_HOSTS too).
if os.environ.get("POWERDESK_PUBLIC_BASE_URL"):
    _public = urllib.parse.urlsplit(POWERDESK_PUBLIC_BASE_URL)
    if _public.scheme and _public.netloc:
        CSRF_TRUSTED_ORIGINS.append(f"{_public.scheme}://{_public.netloc}")

# --- SLA sweep (powerdesk.sla.cycle) ------------------------------------------------------------
# Each 30-second cycle sweeps the due clocks in this many slices at once, each on a connection of its own
# (the orders split by id), so the database works on a cycle's writes on several cores while the worker
# computes the next slice's steps (bench/RESULTS.md). 1 sweeps in the worker's own connection.
POWERDESK_SWEEP_SLICES = max(1, int(os.environ.get("POWERDESK_SWEEP_SLICES", min(4, os.cpu_count() or 1))))


# --- security: client address, login throttle, passwords, API tokens (docs/deploy.md) ------------
def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); empty: the
# client is the connection's peer. One reading for the audit trail and both throttles (core.net).
POWERDESK_TRUSTED_PROXIES = _env_list("POWERDESK_TRUSTED_PROXIES")

# django-axes: failed logins on /login/ and /admin/login/ counted per account and, separately, per
# address; at the limit that account or address is refused until the cool-off ends or an administrator
# deletes its row under 管理后台 → Axes → Access attempts. Successful logins, logouts and lockouts are
# recorded in the audit trail (powerdesk.audit), so axes keeps no access log of its own.
AXES_FAILURE_LIMIT = int(os.environ.get("POWERDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("POWERDESK_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "powerdesk.core.net.client_address"
AXES_LOCKOUT_CALLABLE = "powerdesk.org.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "powerdesk.org.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("POWERDESK_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# API tokens (org.ApiToken): validity of a new token, and the failed token authentications one address
# may make in a window before it is answered 429.
POWERDESK_API_TOKEN_DAYS = int(os.environ.get("POWERDESK_API_TOKEN_DAYS", "90"))
POWERDESK_TOKEN_FAILURE_LIMIT = int(os.environ.get("POWERDESK_TOKEN_FAILURE_LIMIT", "20"))
POWERDESK_TOKEN_FAILURE_WINDOW = int(os.environ.get("POWERDESK_TOKEN_FAILURE_WINDOW", "600"))
