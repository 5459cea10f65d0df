"""Who acts: a Principal (user id, role) that only a sign-in of this process can issue.

Each Principal carries a seal, an HMAC of its id and role under a key that lives only in
this process's memory. Sign-in functions (a verified password, a verified OIDC e-mail, the
CLI's local administrator) issue principals; every permission-aware call verifies the
seal first. A Principal built by hand, unpickled, or rebuilt from a user id sent by a
browser (a forged owner) carries no valid seal and is refused.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from emnist_core.classroom.errors import PermissionDenied

STUDENT = "student"
INSTRUCTOR = "instructor"
ADMIN = "admin"  # the CLI on the lab's own machine: sees and changes everything
ROLES = (STUDENT, INSTRUCTOR, ADMIN)

_KEY = secrets.token_bytes(32)  # per process; never written anywhere


@dataclass(frozen=True)
class Principal:
    """A signed-in user: user_id is the local account name or the OIDC e-mail."""

    user_id: str
    role: str
    seal: str = ""

    @property
    def is_instructor(self) -> bool:
        return self.role in (INSTRUCTOR, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def _seal(user_id: str, role: str) -> str:
    message = f"{user_id}\0{role}".encode()
    return hmac.new(_KEY, message, hashlib.sha256).hexdigest()


def issue(user_id: str, role: str) -> Principal:
    """A sealed Principal; called only by the sign-in functions, after they verified the user."""
    if role not in ROLES or not user_id:
        raise PermissionDenied(f"cannot sign in {user_id!r} with role {role!r}.")
    return Principal(user_id, role, _seal(user_id, role))


def verified(principal: object) -> Principal:
    """The principal itself when its seal is valid; PermissionDenied otherwise."""
    if not isinstance(principal, Principal) or not hmac.compare_digest(
        principal.seal, _seal(principal.user_id, principal.role)
    ):
        raise PermissionDenied(
            "this session is not signed in (or its sign-in was forged); sign in again."
        )
    return principal


def local_admin() -> Principal:
    """The CLI's principal in classroom mode: the lab's own machine administers the class."""
    return issue("local-admin", ADMIN)
