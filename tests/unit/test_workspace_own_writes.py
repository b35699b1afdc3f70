"""The workspace controller's memory of its own writes: which watch events are their echoes, how fresh a
read must be, and that nothing stays remembered once the watch has caught up."""

from __future__ import annotations

from shard.controllers.workspace.own_writes import OwnWrites


def test_an_echo_is_recognised_once_and_then_forgotten() -> None:
    own = OwnWrites()
    own.wrote("root/w", 5, echo=True)
    own.wrote("root/w", 7, echo=True)
    assert own.newest("root/w") == 7
    assert own.is_echo("root/w", 5)
    assert not own.is_echo("root/w", 5)
    assert own.is_echo("root/w", 7)
    assert len(own) == 0 and own.newest("root/w") == 0


def test_a_write_on_top_of_someone_elses_change_is_not_an_echo_but_sets_the_freshness() -> None:
    own = OwnWrites()
    own.wrote("root/w", 9, echo=False)
    assert own.newest("root/w") == 9
    assert not own.is_echo("root/w", 8)  # someone else's change: queued
    assert own.newest("root/w") == 9  # a read must still see 9
    assert not own.is_echo("root/w", 9)
    assert len(own) == 0


def test_an_event_between_two_own_writes_is_not_an_echo() -> None:
    own = OwnWrites()
    own.wrote("root/w", 5, echo=True)
    own.wrote("root/w", 8, echo=False)  # 6 or 7 was someone else's
    assert own.is_echo("root/w", 5)
    assert not own.is_echo("root/w", 6)
    assert not own.is_echo("root/w", 8)


def test_a_read_of_the_newest_write_ends_the_waiting() -> None:
    own = OwnWrites()
    own.wrote("root/w", 5, echo=True)  # its event came before the write was recorded (queued as unknown)
    own.seen("root/w", 4)
    assert own.newest("root/w") == 5
    own.seen("root/w", 5)
    assert len(own) == 0


def test_keys_are_independent_and_forget_drops_a_key() -> None:
    own = OwnWrites()
    own.wrote("root/a", 5, echo=True)
    own.wrote("root/b", 6, echo=True)
    assert not own.is_echo("root/a", 6)
    own.forget("root/b")
    assert own.newest("root/b") == 0 and len(own) == 0


def test_a_deletion_makes_older_states_gone_until_the_watch_shows_it() -> None:
    own = OwnWrites()
    own.deleted("root/w", 9)
    assert own.deleted_since("root/w", 8)  # the watch cache still shows the Workspace as it was before
    own.seen("root/w", 8)  # a read of that stale state keeps the memory
    assert own.deleted_since("root/w", 8)
    assert not own.deleted_since("root/w", 10)  # created again under the same name afterwards
    assert own.newest("root/w") == 0  # a deletion asks no read of etcd
    own.forget("root/w")  # the watch's DELETED event
    assert len(own) == 0 and not own.deleted_since("root/w", 8)


def test_writes_the_watch_has_already_passed_are_not_remembered() -> None:
    """The answer to a write can come after its watch event (the event then queued the key): remembering it
    then would keep an entry nothing ever clears, as for a deletion whose DELETED event came first."""
    own = OwnWrites()
    own.watched(10)
    own.wrote("root/w", 10, echo=True)
    own.deleted("root/v", 9)
    assert len(own) == 0
    assert not own.is_echo("root/w", 10) and not own.deleted_since("root/v", 8)
    own.wrote("root/w", 11, echo=True)  # not passed yet: remembered as before
    assert own.newest("root/w") == 11 and own.is_echo("root/w", 11)
