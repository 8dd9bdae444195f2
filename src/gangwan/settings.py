"""Settings for Gangwan.

Everything that differs between a laptop and a province-wide deployment comes from the
environment: DATABASE_URL, REDIS_URL, GANGWAN_SECRET_KEY, GANGWAN_DATA_KEY, GANGWAN_DEBUG.
Without them Gangwan runs on an embedded SQLite file under var/ with keys kept in var/keys.json.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GANGWAN_HOME", PACKAGE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("GANGWAN_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_keys() -> dict:
    """Keys for a local install, made once and kept out of the repository."""
    path = VAR_DIR / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    keys = {"secret_key": secrets.token_urlsafe(50), "data_key": secrets.token_urlsafe(32)}
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


_env = os.environ.get
_keys = None if (_env("GANGWAN_SECRET_KEY") and _env("GANGWAN_DATA_KEY")) else _local_keys()
SECRET_KEY = _env("GANGWAN_SECRET_KEY") or _keys["secret_key"]
# Key for personal data (ID numbers, phones): encryption and keyed lookup hashes.
DATA_KEY = _env("GANGWAN_DATA_KEY") or _keys["data_key"]

DEBUG = _env("GANGWAN_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h for h in _env("GANGWAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in _env("GANGWAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "gangwan.core",
    "gangwan.regions",
    "gangwan.units",
    "gangwan.organizations",
    "gangwan.members",
    "gangwan.floating",
    "gangwan.incubator",
    "gangwan.transfers",
    "gangwan.portal",
    "gangwan.activities",
    "gangwan.appraisals",
    "gangwan.dues",
    "gangwan.compliance",
    "gangwan.exemplars",
    "gangwan.brands",
    "gangwan.voting",
    "gangwan.pioneers",
    "gangwan.cobuild",
    "gangwan.dashboard",
    "gangwan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gangwan.core.middleware.ScopeMiddleware",
]

ROOT_URLCONF = "gangwan.urls"
WSGI_APPLICATION = "gangwan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gangwan.core.context_processors.navigation",
            ],
        },
    },
]

# Databases: embedded SQLite (WAL) by default; DATABASE_URL=postgres://... for PostgreSQL (pooled).
DATABASE_URL = _env("DATABASE_URL", "")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    if _db["ENGINE"] == "django.db.backends.postgresql" and _env("GANGWAN_DB_POOL", "1") == "1":
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(_env("GANGWAN_DB_POOL_SIZE", "10")),
        }
    if _db["ENGINE"] == "django.db.backends.postgresql" and _env("GANGWAN_DB_PREPARE", "1") == "1":
        # Only cursors that bind server-side prepare (the vote's cast statement); Django's own
        # bind client-side and never do. GANGWAN_DB_PREPARE=0 behind a pooler that cannot keep
        # prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = 5
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _env("GANGWAN_SQLITE", str(VAR_DIR / "gangwan.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared across server processes, so throttles hold with several workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gangwan_cache",
        }
    }

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling: failures per account and per address within the window lock further tries.
LOGIN_THROTTLE = {"failures": int(_env("GANGWAN_LOGIN_FAILURES", "5")), "window_seconds": 900}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if _env("GANGWAN_HTTPS", "0") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static", BASE_DIR / "build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Rules with numbers (RULES.md). Values a district may change live in the database (core.RuleSetting);
# these are the defaults with their sources.
GANGWAN_RULE_DEFAULTS = {
    "R1.min_full_members": 3,
    "R2.max_branch_members": 50,
    "R3.max_joint_units": 5,
    "R5.committee_threshold": 7,
    "R5.committee_min": 3,
    "R5.committee_max": 7,
    "R6.general_branch_members": 50,
    "R6.committee_members": 100,
    "R8.term_years_branch": 3,
    "R8.term_years_committee": 5,
    "R8.term_years_village_community": 5,
    "R8.reminder_months": 6,
    "R8.max_shift_years": 1,
    "R7.reply_months": 1,  # the superior committee answers a proposal to set up a branch within a month
    "R22.follow_up_days": 30,  # a station follows up floating members without a home after N days
    "R23.certificate_review_months": 12,  # activity certificates are reviewed yearly
    "R24.letter_valid_months": 3,  # transfer letters are valid for 3 months (UNCONFIRMED nationally)
    "R24.receipt_due_months": 1,  # the receipt goes back within a month of receiving the member
    "R27.warn_months": 3,  # inactivity: warn after 3 months without organizational life or dues
    "R27.escalate_months": 6,  # … and escalate at 6 (a human decides; never automatic)
    # Organizational life (R10–R17): how often each kind of activity is due (month / quarter / year).
    "R10.general_meeting_period": "quarter",
    "R11.committee_meeting_period": "month",
    "R12.group_meeting_period": "month",
    "R13.lecture_period": "quarter",  # no national frequency (UNCONFIRMED): local practice
    "R14.theme_day_period": "month",
    "R15.life_meeting_period": "year",
    "R17.appraisal_period": "year",
    "R10.remind_days_before_end": 7,  # remind secretaries a week before a period ends
    # Party dues (R30–R38, 中组发〔2008〕3号).
    "R30.included_items": {
        "civil_servant": ["post_pay", "grade_pay", "allowances"],
        "institution": ["post_pay", "scale_pay", "performance_pay", "allowances"],
        "enterprise": ["base_pay", "post_pay", "bonus"],
    },
    "R30.deducted_items": ["income_tax", "social_insurance", "housing_fund", "annuity"],
    "R34.farmer_monthly": "0.50",
    "R34.hardship_monthly": "0.20",
    "R38.back_payment_warn_months": 6,
}

# Background work (reminders, letter expiry) through Django's tasks API with a database backend:
# no broker needed. `gangwan worker` runs it; `gangwan run` starts it beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The edge of the world: SMS go through this gateway (console by default: printed, never sent).
GANGWAN_SMS_GATEWAY = _env("GANGWAN_SMS_GATEWAY", "gangwan.core.notifications.ConsoleSmsGateway")
EMAIL_BACKEND = _env("GANGWAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("GANGWAN_LOG_LEVEL", "WARNING")},
}
