"""Local accounts and sign-in: argon2 hashes in classroom.toml, never a password in clear.

A wrong name or password waits FAILED_DELAY_S and gets one generic message, so guessing
is slow and the reply never tells whether the name exists. OIDC users are signed in by
their verified e-mail: instructors by the instructors list, students by domain or roster.
"""

import dataclasses
import functools
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.config import Account, ClassroomConfig
from emnist_core.classroom.errors import ClassroomConfigError, SignInError
from emnist_core.classroom.principal import INSTRUCTOR, STUDENT, Principal, issue

FAILED_DELAY_S = 1.0
GENERIC_FAILURE = "Wrong name or password."
MIN_PASSWORD = 8
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so both failures take the same time.

    Made on first use, not at import: an argon2 hash is slow by design, and every page of
    the app imports this module, classroom mode or not, so the first render paid for it."""
    return _HASHER.hash("not-a-password-of-anyone")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() or ch in "\"'\\" for ch in name):
        raise ClassroomConfigError(
            f"account name {name!r}: use 1-64 characters without spaces or quotes."
        )
    return name


def add_user(path: Path, name: str, role: str, password: str) -> Account:
    """Create or replace an account in the file (created if missing or empty)."""
    name = _check_name(name)
    if role not in classroom_config.ROLES:
        raise ClassroomConfigError(
            f"role {role!r}: use one of {', '.join(classroom_config.ROLES)}."
        )
    if len(password) < MIN_PASSWORD:
        raise ClassroomConfigError(f"the password must have at least {MIN_PASSWORD} characters.")
    config = classroom_config.load(path)
    account = Account(name, role, _HASHER.hash(password))
    accounts = {**config.accounts, name: account}
    classroom_config.save(path, dataclasses.replace(config, accounts=accounts))
    return account


def remove_user(path: Path, name: str) -> None:
    config = classroom_config.load(path)
    if name not in config.accounts:
        raise ClassroomConfigError(
            f"no account {name!r} in {path}; see them with `emnist-lab classroom list`."
        )
    accounts = {key: value for key, value in config.accounts.items() if key != name}
    classroom_config.save(path, dataclasses.replace(config, accounts=accounts))


def authenticate(config: ClassroomConfig, name: str, password: str) -> Principal:
    """The signed-in Principal of a local account; SignInError (after a delay) otherwise."""
    account = config.accounts.get(name.strip())
    dummy = _dummy_hash()  # made by the first sign-in of any name, known or not
    try:
        _HASHER.verify(account.password_hash if account else dummy, password)
        if account is None:
            raise VerificationError("unknown name")
    except (VerificationError, InvalidHashError):
        time.sleep(FAILED_DELAY_S)
        raise SignInError(GENERIC_FAILURE) from None
    return issue(account.name, account.role)


def oidc_principal(config: ClassroomConfig, email: str | None) -> Principal:
    """The Principal of an e-mail the identity provider verified; SignInError if not in class."""
    email = (email or "").strip().lower()
    if not email:
        raise SignInError("The identity provider sent no e-mail address; ask your instructor.")
    if email in config.instructors:
        return issue(email, INSTRUCTOR)
    in_domain = config.student_domain is None or email.endswith("@" + config.student_domain.lower())
    on_roster = not config.roster or email in config.roster
    if not (in_domain and on_roster):
        raise SignInError(
            f"{email} is not in this class. Ask your instructor to add you to the roster."
        )
    return issue(email, STUDENT)
