"""Errors of classroom mode: refused actions, failed sign-ins and limits a student is over."""

from emnist_core.errors import EmnistError


class PermissionDenied(EmnistError):
    """The signed-in principal may not do this; the message says what and why, never whose."""


class SignInError(EmnistError):
    """Sign-in failed; the message is generic so it never tells which part was wrong."""


class LimitError(EmnistError):
    """A student is over one of the class's limits; the message names the limit and its value."""


class ClassroomConfigError(EmnistError):
    """classroom.toml is missing a value or has a wrong one; the message names the key and fix."""
