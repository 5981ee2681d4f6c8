"""Settings, read from environment variables with safe defaults.

- ``DATABASE_URL``: ``postgresql://user@host:port/name`` selects PostgreSQL; unset means the
  embedded SQLite database (WAL mode) at ``var/yingshang.sqlite3``.
- ``YINGSHANG_VAR``: the folder for the SQLite file, keys and the generated secret key.
- ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS`` (comma-separated).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("YINGSHANG_VAR", BASE_DIR.parent / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _database(url: str | None) -> dict[str, object]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "yingshang.sqlite3")),
            # Keep each thread's connection (and its page cache) between requests: opening
            # one and running the PRAGMAs below costs more than a verification's queries.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                    "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
                ),
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "yingshang",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
    }


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves Swagger UI from its own static files, never from a CDN
    "yingshang.core",
    "yingshang.accounts",
    "yingshang.ledger",
    "yingshang.registry",
    "yingshang.matters",
    "yingshang.licences",
    "yingshang.registration",
    "yingshang.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "yingshang.urls"
WSGI_APPLICATION = "yingshang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Repeated failed logins lock the account out (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lock per account, not per address: officials work behind shared office NAT, where one
# address stands for a whole department (axes.W006 asks for ip_address; we choose not to).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

OTP_TOTP_ISSUER = "营商 Yingshang"

# Chinese first: every page is Simplified Chinese whatever the browser asks for. Add
# django.middleware.locale.LocaleMiddleware once another language's catalogue exists.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The ledger's signing keys (Ed25519, PEM). Public halves also live in the database so that
# heads signed by retired keys keep verifying.
LEDGER_KEY_DIR = Path(os.environ.get("LEDGER_KEY_DIR", VAR_DIR / "keys"))

# Electronic licences. The issuer is this deployment's registration authority: its DID (the
# DID document is served at /.well-known/did.json and /api/v1/issuer/did.json), name,
# region and credit code (the issuer part of GB/T 36904 licence ids). PUBLIC_BASE_URL is
# where the public API is reached; status list credentials are named under it.
LICENCE_KEY_DIR = Path(os.environ.get("LICENCE_KEY_DIR", VAR_DIR / "licence-keys"))
LICENCE_ISSUER_DID = os.environ.get("LICENCE_ISSUER_DID", "did:web:yingshang.example")
LICENCE_ISSUER_NAME = os.environ.get("LICENCE_ISSUER_NAME", "上海市市场监督管理局")
LICENCE_ISSUER_REGION = os.environ.get("LICENCE_ISSUER_REGION", "310000")
LICENCE_ISSUER_CREDIT_CODE = os.environ.get("LICENCE_ISSUER_CREDIT_CODE", "11310000MB2F36019U")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "https://yingshang.example").rstrip("/")
# Uploaded application materials, stored once by SHA-256.
MATERIALS_DIR = Path(os.environ.get("MATERIALS_DIR", VAR_DIR / "materials"))

# The largest credential or QR payload the verifier reads (bytes of the request body).
LICENCE_VERIFY_MAX_BYTES = 64 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
