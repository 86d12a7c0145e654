"""Errors a user can act on: each names the file, the place in it and the fix."""

from __future__ import annotations


class WorkshopError(Exception):
    """A problem with the user's input or environment, reported without a traceback.

    ``file`` and ``location`` say where (file path, row/column/line), ``fix`` says what to do.
    The CLI prints :meth:`describe` and exits with :attr:`exit_code`.
    """

    exit_code = 2

    def __init__(self, message: str, *, file: object = None, location: str | None = None,
                 fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.location = location
        self.fix = fix

    def describe(self) -> str:
        where = ""
        if self.file:
            where = f" i {self.file}"
            if self.location:
                where += f" ({self.location})"
        elif self.location:
            where = f" ({self.location})"
        lines = [f"Fejl{where}: {self.message}"]
        if self.fix:
            lines.append(f"Sådan retter du det: {self.fix}")
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.describe()


class InputError(WorkshopError):
    """Bad raw input (files, manifests, tables, coding sheets)."""


class ModelMissingError(WorkshopError):
    """A language resource or model is not installed. Never fall back silently."""

    exit_code = 3


class TooFewStatementsError(WorkshopError):
    """Not enough usable statements for a modelling step."""
