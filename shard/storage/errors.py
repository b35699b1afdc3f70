"""The closed set of storage errors. The registry translates each of them into a StatusError exactly once."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every storage error; `key` is the storage key concerned (may be a prefix)."""

    def __init__(self, key: str, message: str = "") -> None:
        super().__init__(message or key)
        self.key = key


class KeyNotFoundError(StorageError):
    """The key does not exist (get, update, delete)."""


class KeyExistsError(StorageError):
    """create() found the key already present."""


class ResourceVersionConflictError(StorageError):
    """A resourceVersion precondition did not hold (the object changed since the caller read it)."""


class UIDConflictError(StorageError):
    """A uid precondition did not hold."""

    def __init__(self, key: str, expected: str, actual: str) -> None:
        super().__init__(key, f"Precondition failed: UID in precondition: {expected}, UID in object meta: {actual}")
        self.expected = expected
        self.actual = actual


class ExpiredError(StorageError):
    """The requested revision was compacted away (list at an exact revision, watch, continue token)."""

    def __init__(self, key: str, requested: int, compacted: int) -> None:
        super().__init__(key, f"too old resource version: {requested} ({compacted})")
        self.requested = requested
        self.compacted = compacted


class TooLargeResourceVersionError(StorageError):
    """The requested revision is newer than the store reached within the wait budget."""

    def __init__(self, key: str, requested: int, current: int) -> None:
        super().__init__(key, f"Too large resource version: {requested}, current: {current}")
        self.requested = requested
        self.current = current


class InvalidContinueError(StorageError):
    """A continue token that cannot be decoded or does not belong to this prefix."""


class UnavailableError(StorageError):
    """The backing store cannot be reached."""
