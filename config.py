"""Configuration classes. Every value comes from the environment; only development and tests have
defaults for secrets."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
DEFAULT_SQLITE_URL = f"sqlite:///{INSTANCE_DIR / 'eventapp.db'}"
EMBEDDED_BROKER_URL = f"sqla+sqlite:///{INSTANCE_DIR / 'jobs-broker.db'}"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))
    # Werkzeug's scrypt (n=2**15): a tenth of a second per hash, on purpose.
    PASSWORD_HASH_METHOD = "scrypt"

    # Public base URL, used for links in e-mails sent outside a request (CLI, outbox retries).
    # `make run` sets it from HOST/PORT; production refuses to start without it.
    BASE_URL = os.environ.get("BASE_URL", DEFAULT_BASE_URL)
    # Development: log a warning when a request's host is not BASE_URL's (e-mailed links and
    # .ics files would point elsewhere than the browser).
    WARN_HOST_MISMATCH = False

    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # A registration form may stay open for a long time on a phone: the CSRF token lives as long
    # as the session instead of one hour.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    # A file answered to a registration question (PDF, JPEG, PNG): at most this many bytes.
    QUESTION_FILE_MAX_BYTES = int(os.environ.get("QUESTION_FILE_MAX_BYTES", 5 * 1024 * 1024))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    # "Remember me" keeps an organiser logged in on that device for this long (a password
    # change ends it everywhere: the cookie carries the user's session token).
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_DAYS", "30")))
    HSTS = False

    # Password reset links are valid this many seconds, and only until the password changes.
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # Failed logins allowed per account and per address before a 429 (limits syntax): the
    # password change and the second step of a login. The login form itself is throttled per
    # (account, address) pair with growing delays (eventapp/auth/throttle.py) and per address
    # by LOGIN_ADDRESS_LIMIT, high enough for a venue's shared Wi-Fi.
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "5 per 15 minutes")
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "60 per 15 minutes")
    # Login history (time, the address's first bytes, the browser) kept this many days; the
    # sessions list keeps ended sessions as long.
    LOGIN_HISTORY_DAYS = int(os.environ.get("LOGIN_HISTORY_DAYS", "90"))
    # Password-reset requests allowed per address and per account.
    PASSWORD_RESET_REQUEST_LIMIT = os.environ.get("PASSWORD_RESET_REQUEST_LIMIT", "5 per hour")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "eventapp <no-reply@eventapp.fr>")
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE_DIR / "mail"))
    # Enqueue the send job right after the commit that queued a message (eventapp/jobs); when
    # false, messages wait for the outbox sweep or `flask mail send-pending`.
    MAIL_SEND_ON_COMMIT = _bool("MAIL_SEND_ON_COMMIT", True)
    # Messages per send job (a mailing to 500 people is 25 jobs, shared by the mail workers).
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "20"))
    # A send job is stopped after this many seconds (the worker kills it), so a message claimed
    # by a job is never still being sent when MAIL_STALE_SENDING_SECONDS have passed ...
    MAIL_SEND_TIME_LIMIT = int(os.environ.get("MAIL_SEND_TIME_LIMIT", "120"))
    # ... after which a message left "sending" (its worker was killed) may be claimed again.
    # Must exceed MAIL_SEND_TIME_LIMIT (checked at start-up); see docs/deploy.md.
    MAIL_STALE_SENDING_SECONDS = int(os.environ.get("MAIL_STALE_SENDING_SECONDS", "300"))

    # Background jobs (eventapp/jobs, Celery). REDIS_URL serves the job broker and the rate
    # limits of every app server; without it the broker is an SQLite file in instance/ (kombu's
    # SQLAlchemy transport), which needs no server but only works on one machine.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or EMBEDDED_BROKER_URL
    # Prepended to every broker key in Redis: two deployments can share one Redis database.
    CELERY_KEY_PREFIX = os.environ.get("CELERY_KEY_PREFIX", "")
    # Run jobs in this process instead of a worker (tests: after the response, see jobs/dispatch).
    JOBS_EAGER = _bool("JOBS_EAGER", False)
    CELERY_BEAT_SCHEDULE_FILE = os.environ.get(
        "CELERY_BEAT_SCHEDULE_FILE", str(INSTANCE_DIR / "celerybeat-schedule")
    )
    # The outbox sweep (a beat job): how often, and how old a pending message must be before
    # the sweep sends it again (younger ones are still in the queue, most likely).
    OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))
    OUTBOX_SWEEP_GRACE_SECONDS = int(os.environ.get("OUTBOX_SWEEP_GRACE_SECONDS", "120"))
    # Scheduled mailings are looked for this often (they go out within this delay of their time).
    MAILING_SCHEDULE_SECONDS = int(os.environ.get("MAILING_SCHEDULE_SECONDS", "60"))
    # A mailing's PDF attachment: size limit, and days it is kept after the mailing went out.
    MAILING_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    MAILING_ATTACHMENT_DAYS = int(os.environ.get("MAILING_ATTACHMENT_DAYS", "30"))
    # How often beat looks for waiting-list offers past their deadline (services/offers).
    OFFER_SWEEP_SECONDS = int(os.environ.get("OFFER_SWEEP_SECONDS", "300"))
    # How often beat looks for events whose reminder e-mail is due (services/reminders).
    REMINDER_SWEEP_SECONDS = int(os.environ.get("REMINDER_SWEEP_SECONDS", "900"))
    # The retention purge (a beat job), minute hour of every day, Europe/Paris.
    PRIVACY_PURGE_AT = os.environ.get("PRIVACY_PURGE_AT", "30 3")

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # Prepended to the limiter's keys: two deployments can share one Redis database.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # Redis down: the limits go on counting in each process's memory (and Redis is tried again
    # now and then) instead of every limited page failing; a lost Redis answers within a second.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = (
        {"socket_connect_timeout": 1, "socket_timeout": 1}
        if RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://"))
        else {}
    )
    RATELIMIT_HEADERS_ENABLED = True
    # Reverse proxies / load balancers in front of the app that append the client's address to
    # X-Forwarded-For (and set X-Forwarded-Proto). 0: the app is reached directly and those
    # headers are ignored (a client cannot fake its address to escape the rate limits).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Public registration: per client IP, on the POSTs only (pages stay free to read). Generous
    # enough for a colleague registering a whole team from one office network.
    REGISTRATION_RATE_LIMIT = os.environ.get(
        "REGISTRATION_RATE_LIMIT", "20 per minute;200 per hour"
    )
    # "E-mail me my link again": low, it sends mail to an address typed by anyone.
    RESEND_LINK_RATE_LIMIT = os.environ.get("RESEND_LINK_RATE_LIMIT", "5 per 10 minutes")
    # Participant's manage page writes (corrections, cancellation).
    MANAGE_RATE_LIMIT = os.environ.get("MANAGE_RATE_LIMIT", "30 per 10 minutes")
    # Catalogue page size.
    CATALOGUE_PAGE_SIZE = int(os.environ.get("CATALOGUE_PAGE_SIZE", "24"))
    # Seconds the catalogue, event, tour and programme pages are kept for readers without
    # cookies (eventapp/public/pagecache.py; issue 21: counts may be up to 2 s old). 0: off.
    PUBLIC_PAGE_CACHE_SECONDS = float(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "1"))
    # Development only: /dev/outbox lists the e-mails queued, so a new user can click the
    # manage link without a mail server.
    DEV_OUTBOX_PAGE = False

    PRIVACY_NOTICE_VERSION = "2026-11"
    # Registrations are anonymised this long after their event ended (`flask privacy purge`).
    PRIVACY_RETENTION_MONTHS = int(os.environ.get("PRIVACY_RETENTION_MONTHS", "24"))
    # A participant's manage link stops working this many days after the event.
    MANAGE_LINK_VALID_DAYS = int(os.environ.get("MANAGE_LINK_VALID_DAYS", "30"))
    BENCH_MODE = _bool("BENCH_MODE")

    # Tickets and check-in. Ticket QR codes are signed with TICKET_SIGNING_KEY (SECRET_KEY when
    # unset): a separate key lets SECRET_KEY rotate without invalidating printed tickets/badges.
    TICKET_SIGNING_KEY = os.environ.get("TICKET_SIGNING_KEY")
    # How often the check-in desk page refreshes its counts (seconds).
    CHECKIN_POLL_SECONDS = int(os.environ.get("CHECKIN_POLL_SECONDS", "5"))

    # Fees and payment (issue 14). Card payment is offered when both Stripe keys are set;
    # STRIPE_API_BASE points the adapter elsewhere (a local stand-in in tests).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    # The key of bank-transfer references (SECRET_KEY when unset); keep it once references
    # are issued.
    PAYMENT_REFERENCE_SECRET = os.environ.get("PAYMENT_REFERENCE_SECRET")
    PAYMENT_RELEASE_SECONDS = int(os.environ.get("PAYMENT_RELEASE_SECONDS", "300"))

    # Webhooks (issue 17) go to public https addresses only (services/api/destinations.py);
    # development and tests may send to a receiver on loopback, over plain http.
    WEBHOOK_ALLOW_LOOPBACK = False
    WEBHOOK_ALLOW_HTTP = False


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = _bool("FLASK_DEBUG", True)
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    DEV_OUTBOX_PAGE = _bool("DEV_OUTBOX_PAGE", True)
    WARN_HOST_MISMATCH = True
    WEBHOOK_ALLOW_LOOPBACK = True
    WEBHOOK_ALLOW_HTTP = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.db'}"
    )
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PUBLIC_PAGE_CACHE_SECONDS = 0  # a test sees its change at once (tests/public: the cache's)
    MAIL_BACKEND = "locmem"
    SQLITE_BUSY_TIMEOUT_MS = 30000
    # A real scrypt at a test-sized cost (n=2**10): the suite creates and logs in hundreds of
    # accounts; a hash verifies with the cost written in it, so nothing else changes.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # Jobs run in the test process once the response is over (eventapp/jobs/dispatch.py): the
    # test client runs them when it returns, the live server when it has sent the response.
    JOBS_EAGER = True
    WEBHOOK_ALLOW_LOOPBACK = True  # the local receiver of tests/api
    WEBHOOK_ALLOW_HTTP = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    ADMIN_2FA_REQUIRED = True  # administrators log in with a second factor (eventapp.account)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS = True

    @classmethod
    def validate(cls, config) -> None:
        """Refuse to start with settings that are only safe on a developer's machine."""
        if not config.get("SECRET_KEY"):
            raise RuntimeError("ProductionConfig needs SECRET_KEY in the environment.")
        uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
        if not os.environ.get("DATABASE_URL") or uri == DEFAULT_SQLITE_URL:
            raise RuntimeError(
                "ProductionConfig needs DATABASE_URL (the default SQLite file is for development)."
            )
        base = urlsplit(config.get("BASE_URL") or "")
        if (
            (config.get("BASE_URL") == DEFAULT_BASE_URL and not os.environ.get("BASE_URL"))
            or base.scheme not in ("http", "https")
            or not base.hostname
        ):
            # Else every e-mail and calendar file links to http://127.0.0.1:5000.
            raise RuntimeError(
                "ProductionConfig needs BASE_URL, the public address (https://events.example.fr)."
            )
        if config.get("WEBHOOK_ALLOW_LOOPBACK") or config.get("WEBHOOK_ALLOW_HTTP"):
            # A webhook to 127.0.0.1 reaches the server's own services (SSRF).
            raise RuntimeError(
                "ProductionConfig sends webhooks to public https addresses only: unset "
                "WEBHOOK_ALLOW_LOOPBACK and WEBHOOK_ALLOW_HTTP."
            )
        storage = config.get("RATELIMIT_STORAGE_URI") or "memory://"
        if config.get("RATELIMIT_ENABLED") and storage.startswith("memory://"):
            # Each worker process would count on its own: 5 allowed guesses become 5 per worker.
            raise RuntimeError(
                "ProductionConfig needs REDIS_URL (or RATELIMIT_STORAGE_URI): memory:// rate "
                "limits count per worker process."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
