"""`classroom add-user|list|remove`: local accounts in the file EMNIST_CLASSROOM names.

The password is read from stdin (one line; typed without echo when stdin is a terminal),
hashed with argon2 and only the hash is written. The file is created if missing or empty.
"""

import argparse
import getpass
import sys
from pathlib import Path

from emnist_core.classroom.config import ROLES
from emnist_core.classroom.errors import ClassroomConfigError

NO_FILE = (
    "classroom mode is off: set EMNIST_CLASSROOM to the classroom file, e.g. "
    "`export EMNIST_CLASSROOM=classroom.toml`, then run this again."
)


def register(subparsers) -> None:
    parser = subparsers.add_parser("classroom", help="local accounts of classroom mode")
    actions = parser.add_subparsers(dest="classroom_command", required=True)
    add = actions.add_parser("add-user", help="create or replace an account (password on stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(handler=run_add_user)
    listing = actions.add_parser("list", help="the accounts: name and role")
    listing.set_defaults(handler=run_list)
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)


def _classroom_file() -> Path:
    from emnist_core import settings

    path = settings.classroom_file()
    if path is None:
        raise ClassroomConfigError(NO_FILE)
    return path


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\r\n")


def run_add_user(args: argparse.Namespace) -> int:
    from emnist_core.classroom.accounts import add_user

    path = _classroom_file()
    add_user(path, args.name, args.role, _read_password())
    print(f"account {args.name!r} ({args.role}) saved in {path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from emnist_core.classroom.config import load

    path = _classroom_file()
    accounts = load(path).accounts
    if not accounts:
        print(f"no accounts in {path}; add one with `emnist-lab classroom add-user NAME --role`")
    for name, account in sorted(accounts.items()):
        print(f"{name}\t{account.role}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from emnist_core.classroom.accounts import remove_user

    path = _classroom_file()
    remove_user(path, args.name)
    print(f"account {args.name!r} removed from {path}")
    return 0
