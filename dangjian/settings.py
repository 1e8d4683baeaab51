"""Settings, all from the environment; see docs/deployment.md for every variable."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from dangjian.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime state (the embedded database, generated keys, uploads, benchmark results).
VAR_DIR = Path(envstr("DANGJIAN_VAR_DIR", str(BASE_DIR / "var")))
NODE_MODULES = Path(envstr("DANGJIAN_NODE_MODULES", str(BASE_DIR / "node_modules")))

SECRET_KEY = envsecret("SECRET_KEY", VAR_DIR / "secret_key")
# The key that encrypts identity numbers at rest (Fernet, urlsafe base64 of 32 bytes).
DATA_KEY = envstr("DANGJIAN_DATA_KEY", "")
DATA_KEY_FILE = VAR_DIR / "data.key"

DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "ninja",
    "axes",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.areas",
    "dangjian.orgs",
    "dangjian.people",
    "dangjian.partyorgs",
    "dangjian.imports",
    "dangjian.compliance",
    "dangjian.reports",
    "dangjian.tasks",
    "dangjian.life",
    "dangjian.cadres",
    "dangjian.bodies",
    "dangjian.development",
    "dangjian.transfers",
    "dangjian.dissolutions",
    "dangjian.care",
    "dangjian.dues",
    "dangjian.inspections",
    "dangjian.rectifications",
    "dangjian.venues",
    "dangjian.policies",
    "dangjian.feed",
    "dangjian.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in the path, a parameter, a form field or a cookie is refused (or the
    # cookie dropped) before anything reads it: PostgreSQL cannot store one (docs/security.md).
    "dangjian.web.middleware.NulCharacterMiddleware",
    # The API's 405 ("Method not allowed" from django-ninja) in Chinese JSON.
    "dangjian.web.middleware.ApiMethodNotAllowedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it locks out repeated failed log-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, the bell's unread count loaded with the user (one query).
    "dangjian.accounts.backends.UserBackend",
]
# Password guessing (等保 2.0: 登录失败处理): 5 failures lock the account name for 30 minutes.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 30) / 60  # hours
# By account name only: offices sit behind one NAT address, and locking an address would
# lock out every officer behind it. Rotating addresses does not help an attacker here.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# axes' own admin pages are in English; accounts.admin lists the lockouts in Chinese.
AXES_ENABLE_ADMIN = False

ROOT_URLCONF = "dangjian.urls"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.web.context.frame",
                "dangjian.web.context.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "dangjian.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
# The test database's name (PostgreSQL): `make test` gives each run its own, so that two runs
# on one server never collide.
if envstr("DATABASE_TEST_NAME", ""):
    DATABASES["default"]["TEST"] = {"NAME": envstr("DATABASE_TEST_NAME", "")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start with a read.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The connection is kept between requests (DATABASE_CONN_MAX_AGE) as on PostgreSQL: a new
    # SQLite connection parses the schema and starts with an empty page cache, which cost a
    # few milliseconds on every page (bench/web.py).

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (Django's tasks framework): queued in the database, run by
# `dangjian db_worker` (started by `make run`), e.g. the imports started from the web pages.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What an xlsx import file may hold, checked as its parts are decompressed, before they are
# read (dangjian/imports/readers.py; docs/architecture.md "Imports"): a file beyond them is
# refused with a message naming the limit. Together they keep an import under 300 MiB.
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", 32767)  # Excel's own cell limit
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 1_048_576)  # Excel's sheet limit, blank rows too
IMPORT_MAX_CELLS = envint("IMPORT_MAX_CELLS", 3_200_000)  # rows × columns of the sheet
IMPORT_MAX_TEXT_MB = envint("IMPORT_MAX_TEXT_MB", 48)  # the text the cells hold, in all
IMPORT_MAX_XML_MB = envint("IMPORT_MAX_XML_MB", 512)  # one part (sheet) of the file, unzipped
# Imports that write take turns (one at a time, dry runs included: they write and roll
# back); one waits at most this long for the one before it, then says so and writes nothing.
IMPORT_LOCK_WAIT_SECONDS = envint("IMPORT_LOCK_WAIT_SECONDS", 600)

AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Our corrections to Django's zh_Hans catalogs (admin words translated badly, or missing).
LOCALE_PATHS = [BASE_DIR / "dangjian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from the npm registry at `make install` and are served
# from this machine: users sit on closed networks, so never a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if entry[1].is_dir()]
# Uploaded files kept by the system (evidence attached to tasks, under tasks/): never
# served by a URL of their own, only by a page that checks the jurisdiction first.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Mail (the daily digest of notifications, docs/tasks.md "督办与通知"), as Django's MAILERS:
# SMTP where EMAIL_HOST is set; otherwise each mail is written as a file under var/mail/
# (`make run`) — unless EMAIL_BACKEND names another backend
# (django.core.mail.backends.dummy.EmailBackend: no mail at all).
_EMAIL_HOST = envstr("EMAIL_HOST", "")
_EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if _EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
_MAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": _EMAIL_HOST or "localhost",
        "port": envint("EMAIL_PORT", 25),
        "username": envstr("EMAIL_HOST_USER", ""),
        "password": envstr("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", False),
        "use_ssl": envbool("EMAIL_USE_SSL", False),
        "timeout": 30,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _MAIL_OPTIONS = {"file_path": str(VAR_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "dangjian@localhost")
# Where the system is reached from users' browsers: the links in the mails.
SITE_URL = envstr("DANGJIAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# An idle session ends after SESSION_IDLE_MINUTES (30 by default): every request renews it.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and envbool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if envbool("HTTPS", False):
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (Django's own): everything from this server, no inline scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
