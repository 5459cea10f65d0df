"""Where studies live: a journal file on one machine, a database URL for many, clear errors.

Optuna's SQLite storage is not safe for workers writing at once, so the default is
Optuna's JournalStorage on a file (journal:///path, safe for several processes on one
machine); PostgreSQL serves workers on several machines, and a SQLite URL a user gives
still works. Opening a storage connects at once, so an unreachable or misspelt database
is reported before any data is loaded or any model trains. On a database, the heartbeat
lets every worker notice a trial whose worker was killed, mark it failed and retry it.
"""

import random
import time
import warnings
from pathlib import Path

from emnist_core import settings
from emnist_core.atomic import check_destination
from emnist_core.errors import EmnistError

JOURNAL_PREFIX = "journal:///"  # journal:///artifacts/optuna.journal, as sqlite:/// URLs
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable PostgreSQL server fails fast instead of hanging


class StudyError(EmnistError):
    """A study or its storage cannot be used as asked; the message names the problem and the fix."""


def redact(url: str) -> str:
    """The URL with any password hidden, safe to print and to store in run.json."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given, minus nothing secret
        return url.split("@")[-1] if "@" in url else url


def _engine_kwargs(url: str) -> dict:
    if url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}  # wait for another worker's write lock
    return {}


def with_driver(url: str) -> str:
    """postgresql://... with the installed driver: SQLAlchemy 2.1 defaults to psycopg 3, the
    lab pins psycopg2-binary, so a plain URL is routed to psycopg2 when only that is present."""
    import importlib.util

    for prefix in ("postgresql://", "postgres://"):
        if (
            url.startswith(prefix)
            and importlib.util.find_spec("psycopg") is None
            and importlib.util.find_spec("psycopg2") is not None
        ):
            return "postgresql+psycopg2://" + url.removeprefix(prefix)
    return url


def _prepare_sqlite(url: str) -> None:
    """Create the folder of a SQLite file so a first study needs no set-up."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        folder = Path(url.removeprefix("sqlite:///")).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StudyError(
                f"cannot create {folder} for the study database: {error.strerror}. "
                "Pass --storage sqlite:////a/writable/path/optuna.db."
            ) from None


def _is_creation_race(error: Exception) -> bool:
    """Workers started together on an empty database race to create Optuna's tables."""
    text = str(error).lower()
    return any(
        sign in text
        for sign in ("already exists", "duplicate key", "unique constraint", "uniqueviolation")
    )


def _rdb_storage(url: str, heartbeat_seconds: int, attempts: int = 4):
    import optuna

    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():  # the heartbeat is "experimental" since Optuna 2.9
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=_engine_kwargs(url),
                    heartbeat_interval=heartbeat_seconds,
                    grace_period=3 * heartbeat_seconds,
                    # a killed worker's trial is run again once (RetryFailedTrialCallback's
                    # new name in Optuna 5)
                    heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                        max_retry=1
                    ),
                )
        except Exception as error:
            if attempt == attempts - 1 or not _is_creation_race(error):
                raise
            time.sleep(0.5 + random.random())  # the other worker finishes creating; then join


def _journal_storage(given: str):
    """JournalStorage on the file of a journal:///path URL, its folder checked first."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    path = Path(given.removeprefix(JOURNAL_PREFIX)).expanduser()
    check_destination(path.parent, 10_000_000, "study storage folder")

    class NamedJournalStorage(optuna.storages.JournalStorage):
        url = given  # what storage_url_of reports and tag_run records

    try:
        return NamedJournalStorage(JournalFileBackend(str(path)))
    except (OSError, ValueError) as error:
        raise StudyError(f"cannot open the study journal {path}: {error}.") from None


def open_storage(url: str | None = None, heartbeat_seconds: int = 20):
    """The Optuna storage for url (default: settings.study_storage), opened and checked."""
    given = settings.study_storage(url)
    if given.startswith(JOURNAL_PREFIX):
        return _journal_storage(given)
    url, shown = with_driver(given), redact(given)
    _prepare_sqlite(url)
    try:
        return _rdb_storage(url, heartbeat_seconds)
    except ImportError:  # Optuna re-raises a missing driver as a plain ImportError
        raise StudyError(
            f"the database driver for {shown} is not installed; for "
            "PostgreSQL: pip install psycopg2-binary (pinned in requirements.txt)."
        ) from None
    except Exception as error:  # noqa: BLE001 - SQLAlchemy raises many types; all mean "cannot use it"
        text = str(error).strip()
        reason = text.splitlines()[0].rstrip(".") if text else type(error).__name__
        raise StudyError(
            f"cannot open the study storage {shown}: {reason}. Check that the database "
            "server is running and reachable, the URL (e.g. postgresql://user:password@host:5432/"
            "dbname or sqlite:///artifacts/optuna.db) and the credentials."
        ) from None


def absolute_url(url: str | None = None) -> str:
    """The storage URL with a relative file path made absolute, for a process elsewhere.

    A tuning job runs in a Dask worker whose working directory is its own, so a journal or
    SQLite file named relative to the app's folder must be named in full before it travels.
    """
    given = settings.study_storage(url)
    for prefix in (JOURNAL_PREFIX, "sqlite:///"):
        if given.startswith(prefix) and given != "sqlite:///:memory:":
            path = Path(given.removeprefix(prefix)).expanduser()
            return prefix + str(path.resolve())
    return given


def storage_url_of(study) -> str:
    """The URL a study was opened with (Optuna wraps RDBStorage in a cache layer)."""
    storage = study._storage
    return getattr(storage, "url", None) or getattr(getattr(storage, "_backend", None), "url", "")


def fail_stale_trials(study) -> None:
    """Mark trials whose worker stopped beating (killed, machine gone) as failed."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
