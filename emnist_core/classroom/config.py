"""classroom.toml: the instructors, who may sign in, the idle timeout, limits and local accounts.

Read with tomllib and written atomically (tomli-w, then a rename), so the app and the
`emnist-lab classroom` commands never see half a file. Unknown keys are refused by name,
so a typo never silently becomes a default.
"""

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from emnist_core.atomic import write_text
from emnist_core.classroom.errors import ClassroomConfigError

ROLES = ("student", "instructor")


@dataclass(frozen=True)
class Limits:
    """What one student may use at once; the instructor edits these on the Instructor page."""

    jobs_running: int = 1  # training jobs of one student running at the same time
    jobs_queued: int = 2  # jobs of one student waiting for a free slot
    max_epochs: int = 20
    max_params: int = 2_000_000  # the quick and baseline presets stay well under this
    upload_mb: int = 5  # images uploaded on the Draw page

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            minimum = 0 if spec.name == "jobs_queued" else 1
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ClassroomConfigError(
                    f"limits.{spec.name}={value!r} in classroom.toml: use a whole number of at "
                    f"least {minimum}."
                )


@dataclass(frozen=True)
class Account:
    """A local account: a name, a role and an argon2 hash (never the password)."""

    name: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class ClassroomConfig:
    """Everything classroom.toml holds; an empty file is a valid class with defaults."""

    instructors: tuple[str, ...] = ()  # e-mails of instructors signing in through OIDC
    student_domain: str | None = None  # e.g. "uni.edu": only these e-mails may sign in
    roster: tuple[str, ...] = ()  # if given, only these e-mails may sign in as students
    idle_timeout_minutes: int = 60
    limits: Limits = field(default_factory=Limits)
    accounts: dict[str, Account] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.idle_timeout_minutes < 1:
            raise ClassroomConfigError(
                f"classroom.idle_timeout_minutes={self.idle_timeout_minutes!r}: use at least 1."
            )


CLASSROOM_KEYS = {"instructors", "student_domain", "roster", "idle_timeout_minutes"}


def _refuse_unknown(section: str, table: dict, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ClassroomConfigError(
            f"unknown key(s) {', '.join(unknown)} in [{section}] of classroom.toml; "
            f"allowed: {', '.join(sorted(known))}."
        )


def _accounts(table: dict) -> dict[str, Account]:
    accounts = {}
    for name, entry in table.items():
        _refuse_unknown(f"accounts.{name}", entry, {"role", "password_hash"})
        if entry.get("role") not in ROLES or not entry.get("password_hash"):
            raise ClassroomConfigError(
                f"account {name!r} in classroom.toml needs a role ({' or '.join(ROLES)}) and a "
                "password_hash; recreate it with `emnist-lab classroom add-user`."
            )
        accounts[name] = Account(name, entry["role"], entry["password_hash"])
    return accounts


def parse(data: dict) -> ClassroomConfig:
    """A ClassroomConfig from parsed TOML; ClassroomConfigError names any wrong key."""
    _refuse_unknown("top level", data, {"classroom", "limits", "accounts"})
    section = data.get("classroom", {})
    _refuse_unknown("classroom", section, CLASSROOM_KEYS)
    limits = data.get("limits", {})
    _refuse_unknown("limits", limits, {spec.name for spec in dataclasses.fields(Limits)})
    return ClassroomConfig(
        instructors=tuple(email.lower() for email in section.get("instructors", ())),
        student_domain=section.get("student_domain") or None,
        roster=tuple(email.lower() for email in section.get("roster", ())),
        idle_timeout_minutes=int(section.get("idle_timeout_minutes", 60)),
        limits=Limits(**limits),
        accounts=_accounts(data.get("accounts", {})),
    )


def load(path: Path) -> ClassroomConfig:
    """Read classroom.toml; a missing or empty file is a class with defaults and no accounts."""
    path = Path(path)
    if not path.is_file():
        return ClassroomConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ClassroomConfigError(
            f"cannot read {path}: {exc}. Fix the file or point EMNIST_CLASSROOM at another one."
        ) from None
    return parse(data)


def to_dict(config: ClassroomConfig) -> dict:
    """The TOML tables of a config (optional values left out, so tomli-w never sees None)."""
    section: dict = {
        "instructors": list(config.instructors),
        "idle_timeout_minutes": config.idle_timeout_minutes,
    }
    if config.student_domain:
        section["student_domain"] = config.student_domain
    if config.roster:
        section["roster"] = list(config.roster)
    accounts = {
        name: {"role": account.role, "password_hash": account.password_hash}
        for name, account in sorted(config.accounts.items())
    }
    return {"classroom": section, "limits": dataclasses.asdict(config.limits), "accounts": accounts}


def save(path: Path, config: ClassroomConfig) -> None:
    """Write classroom.toml atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, tomli_w.dumps(to_dict(config)))


def with_limits(config: ClassroomConfig, limits: Limits) -> ClassroomConfig:
    return dataclasses.replace(config, limits=limits)
