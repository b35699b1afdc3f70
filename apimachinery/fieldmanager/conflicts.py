"""Apply conflicts and the 409 `Status` they become, worded as the upstream API server words them.

One conflict:  `Apply failed with 1 conflict: conflict with "other" using v1: .data.a`
Several:       `Apply failed with 2 conflicts: conflicts with "a" using v1:\n- .data.x\nconflicts with "b":\n- .data.y`
Each conflict is also a cause `{reason: FieldManagerConflict, message: conflict with "other" using v1,
field: .data.a}`. An Update manager is printed with the apiVersion it used, an Apply manager without;
a subresource is named (`"m" with subresource "status" using v1`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apimachinery import errors
from apimachinery.fieldmanager.entries import UPDATE, ManagerId
from apimachinery.fieldmanager.path import Path, path_string
from apimachinery.validation.field import go_quote


@dataclass(frozen=True)
class Conflict:
    manager: ManagerId
    path: Path


class ConflictsError(Exception):
    """Raised by an apply that would change fields other managers own."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        super().__init__(conflict_message(conflicts))
        self.conflicts = list(conflicts)


def describe(manager: ManagerId) -> str:
    text = go_quote(manager.manager)
    if manager.subresource:
        text += f" with subresource {go_quote(manager.subresource)}"
    if manager.operation == UPDATE:
        text += f" using {manager.api_version}"
    return text


def conflict_message(conflicts: Sequence[Conflict]) -> str:
    if len(conflicts) == 1:
        only = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {describe(only.manager)}: {path_string(only.path)}"
    by_manager: dict[ManagerId, list[Path]] = {}
    for conflict in conflicts:
        by_manager.setdefault(conflict.manager, []).append(conflict.path)
    lines = []
    for manager in sorted(by_manager, key=ManagerId.identifier):
        lines.append(f"conflicts with {describe(manager)}:")
        lines.extend(f"- {path_string(path)}" for path in by_manager[manager])
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def conflict_error(conflicts: Sequence[Conflict]) -> errors.StatusError:
    causes = [
        errors.Cause("FieldManagerConflict", f"conflict with {describe(c.manager)}", path_string(c.path))
        for c in conflicts
    ]
    return errors.StatusError(409, "Conflict", conflict_message(conflicts), causes=causes)
