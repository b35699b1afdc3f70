"""What the workspace controller remembers of its own Workspace writes until the watch shows them (as
client-go controllers keep "expectations"), so that reads may come from the watch cache:

- `newest(key)`: the resourceVersion of this controller's latest write of the key. A reconcile that finds
  an older state in the watch cache reads etcd instead: decisions never rest on a state older than what
  the controller itself wrote (for instance a deletion that would not see the LogicalCluster just bound).
- echoes: the watch events of writes made on top of the very state the reconcile held (no one else wrote
  in between). The reconcile that wrote them went on from what it wrote, so their events are not queued
  again; any other event is (it may carry someone else's change).
- deletions: the revision at which this controller deleted the Workspace. A reconcile that finds it in the
  watch cache at an older revision knows it is gone (whatever is created under the name later has a newer
  resourceVersion) and reads nothing.

An entry goes away once the watch (or a read of the cache) has reached the newest write, or has shown the
deletion, so memory does not grow with the number of workspaces. A write the watch has already passed when
it is recorded (its event came before the writer got its answer) is not recorded at all: nothing would
ever clear it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Pending:
    newest: int = 0
    echoes: list[int] = field(default_factory=list)
    deleted: int = 0


@dataclass
class OwnWrites:
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _watched: int = 0  # the revision the controller's watch has delivered up to (events come in order)

    def watched(self, revision: int) -> None:
        """The controller's watch has delivered every event up to `revision`."""
        self._watched = max(self._watched, revision)

    def wrote(self, key: str, revision: int, *, echo: bool) -> None:
        """A write of `key` stored at `revision`; `echo`: made on the state the reconcile held."""
        if revision <= self._watched:
            return  # its event came already (and queued the key): the cache holds it, nothing to wait for
        pending = self._pending.setdefault(key, _Pending())
        pending.newest = max(pending.newest, revision)
        if echo:
            pending.echoes.append(revision)

    def deleted(self, key: str, revision: int) -> None:
        """This controller deleted `key` at `revision`."""
        if revision <= self._watched:
            return  # the watch has shown the deletion already
        pending = self._pending.setdefault(key, _Pending())
        pending.deleted = max(pending.deleted, revision)

    def deleted_since(self, key: str, revision: int) -> bool:
        """Whether this controller deleted `key` after `revision` (so a state of it at `revision` is gone)."""
        pending = self._pending.get(key)
        return pending is not None and pending.deleted > revision

    def newest(self, key: str) -> int:
        pending = self._pending.get(key)
        return pending.newest if pending else 0

    def is_echo(self, key: str, revision: int) -> bool:
        """Whether a watch event of `key` at `revision` is one of the echoes (consumed by the call)."""
        pending = self._pending.get(key)
        if pending is None:
            return False
        echo = revision in pending.echoes
        self.seen(key, revision)
        return echo

    def seen(self, key: str, revision: int) -> None:
        """The watch cache holds `key` at `revision`: writes up to it need no more waiting for (events of one
        key come in revision order, so an echo older than one seen came before it was recorded)."""
        pending = self._pending.get(key)
        if pending is None:
            return
        pending.echoes = [echo for echo in pending.echoes if echo > revision]
        if pending.newest <= revision and not pending.echoes and pending.deleted <= revision:
            del self._pending[key]

    def forget(self, key: str) -> None:
        self._pending.pop(key, None)

    def __len__(self) -> int:
        return len(self._pending)
