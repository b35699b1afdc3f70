"""How a shard behaves towards another shard that does not answer: bounded exponential backoff between the
attempts of one call, and a circuit breaker per shard.

The breaker counts only failures to *connect* (nothing was sent, so nothing can have happened on the other
side): after `threshold` consecutive ones it opens and calls fail at once, without touching the network;
after `cooldown` seconds it lets one trial call through (half-open); the trial's success closes it, its
failure opens it for another cooldown. Any answer from the shard, even an error status, closes it: the
shard is reachable. Pure: time comes from an injected clock, nothing sleeps here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

CLOSED_FAILURES = 0


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries of one call; before try n (n ≥ 2) wait `initial * factor**(n-2)`, at most `maximum`.

    No jitter: a shard retries a handful of calls to a handful of shards, never a thundering herd."""

    initial: float = 0.1
    factor: float = 2.0
    maximum: float = 1.0
    attempts: int = 4

    def delays(self) -> list[float]:
        """The waits between consecutive attempts (one fewer than the attempts)."""
        return [min(self.initial * self.factor**n, self.maximum) for n in range(max(self.attempts - 1, 0))]


@dataclass
class CircuitBreaker:
    """One shard's breaker. Call `allow()` before a call, then `succeeded()` or `connect_failed()`."""

    threshold: int = 3
    cooldown: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = CLOSED_FAILURES
    _opened_at: float | None = None
    _trial_started_at: float | None = None  # a trial never reported (its caller was cancelled) expires

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at < self.cooldown:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def _trial_running(self) -> bool:
        started = self._trial_started_at
        return started is not None and self.clock() - started < self.cooldown

    @property
    def available(self) -> bool:
        """Whether a call would be let through now (closed, or half-open with no trial under way)."""
        state = self.state
        return state is BreakerState.CLOSED or (state is BreakerState.HALF_OPEN and not self._trial_running)

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial at a time is let through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._trial_running:
            return False
        self._trial_started_at = self.clock()
        return True

    def succeeded(self) -> None:
        """The shard answered: close."""
        self._failures, self._opened_at, self._trial_started_at = CLOSED_FAILURES, None, None

    def connect_failed(self) -> None:
        """No connection could be made: count it; open at the threshold, or again after a failed trial."""
        self._failures += 1
        if self._trial_started_at is not None or self._failures >= self.threshold:
            self._opened_at = self.clock()
        self._trial_started_at = None


@dataclass
class Breakers:
    """One CircuitBreaker per shard name, made on first use with the same settings."""

    threshold: int = 3
    cooldown: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _by_shard: dict[str, CircuitBreaker] = field(default_factory=dict)

    def of(self, shard_name: str) -> CircuitBreaker:
        breaker = self._by_shard.get(shard_name)
        if breaker is None:
            breaker = CircuitBreaker(self.threshold, self.cooldown, self.clock)
            self._by_shard[shard_name] = breaker
        return breaker

    def available(self, shard_name: str) -> bool:
        return self.of(shard_name).available
