"""Exceptions that carry a message a student can act on, instead of a deep traceback."""


class EmnistError(Exception):
    """Base class: every error the lab raises on purpose derives from it."""


class DataError(EmnistError, ValueError):
    """A data file is missing, corrupt or inconsistent; the message names the file and the fix."""


class ConfigError(EmnistError, ValueError):
    """A hyperparameter is impossible; the message names the field and the allowed range."""


class RunError(EmnistError):
    """A saved run is missing, incomplete or broken; the message names the folder and the fix."""


class DestinationError(EmnistError):
    """Where a job would write is a file, read-only or too full; checked before the work starts."""
