"""Runs as one principal may see them: a permission-aware facade over RunRegistry.

Pages and the CLI call these methods, never the registry directly, so a run id typed into
the URL or left in another session's widget state is checked here, on the server, on
every call. A run the principal may not see is reported exactly like a missing one.
"""

from pathlib import Path

from emnist_core import settings
from emnist_core.classroom import permissions
from emnist_core.classroom.errors import PermissionDenied
from emnist_core.classroom.principal import Principal, local_admin, verified
from emnist_core.classroom.published import published_ids, set_published
from emnist_core.errors import RunError
from emnist_core.training.leftovers import BrokenRun
from emnist_core.training.runs import Run, RunRegistry


class ClassroomRuns:
    """list/get/rename/delete/publish for one signed-in principal (seal checked on each call)."""

    def __init__(self, principal: Principal, runs_dir: Path | str | None = None):
        self.principal = verified(principal)
        self.registry = RunRegistry(runs_dir)
        self.runs_dir = self.registry.runs_dir

    def _who(self) -> Principal:
        return verified(self.principal)

    def published(self) -> set[str]:
        return published_ids(self.runs_dir)

    def is_published(self, run: Run) -> bool:
        return run.run_id in self.published()

    def list(self) -> list[Run]:
        """The runs this principal may see, newest first."""
        who, published = self._who(), self.published()
        return [
            run
            for run in self.registry.list()
            if permissions.can_see_run(who, run.owner, run.run_id in published)
        ]

    def get(self, run_id: str) -> Run:
        """One visible run; a hidden run raises the same RunError as a missing one."""
        who = self._who()
        run = self.registry.get(run_id)
        if not permissions.can_see_run(who, run.owner, run_id in self.published()):
            raise RunError(f"no run {run_id!r} that you can open; pick one from the list.")
        return run

    @property
    def cleaned(self) -> "list[str]":  # quoted: the list method shadows the type here
        return self.registry.cleaned

    def broken(self) -> "list[BrokenRun]":
        """Unreadable run folders (their owner is unknown): for the local administrator (the
        CLI's `runs list` and `runs delete`), who alone may delete them."""
        return self.registry.broken() if self._who().is_admin else []

    def _own(self, run_id: str, action: str) -> Run:
        run = self.get(run_id)
        if not permissions.can_change_run(self._who(), run.owner):
            raise PermissionDenied(f"you can {action} only your own runs; '{run.name}' is not.")
        return run

    def rename(self, run_id: str, new_name: str) -> Run:
        self._own(run_id, "rename")
        return self.registry.rename(run_id, new_name)

    def delete(self, run_id: str) -> None:
        """The owner deletes their run; the local administrator any, a broken one too."""
        if not self._who().is_admin:
            self._own(run_id, "delete")
        self.registry.delete(run_id)

    def publish(self, run_id: str, published: bool = True) -> None:
        """Show (or stop showing) a run to the whole class; instructors only."""
        if not permissions.can_publish(self._who()):
            raise PermissionDenied("only an instructor can publish runs to the class.")
        self.get(run_id)  # exists and is visible
        set_published(self.runs_dir, run_id, published)


def workspace(
    principal: Principal | None, runs_dir: Path | str | None = None, *, cli: bool = False
) -> "RunRegistry | ClassroomRuns":
    """The runs a caller works with: every run in personal mode, else the principal's view.

    In classroom mode the CLI (cli=True) acts as the local administrator; any other caller
    without a signed-in principal is refused.
    """
    if settings.classroom_file() is None:
        return RunRegistry(runs_dir)
    if cli:
        return ClassroomRuns(local_admin(), runs_dir)
    if principal is None:
        raise PermissionDenied("classroom mode: sign in first.")
    return ClassroomRuns(principal, runs_dir)
