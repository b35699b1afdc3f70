"""Backoff delays, the per-shard circuit breaker, and the retry policy of ShardHttp (fake transport)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from shard.topology.https import ConnectFailed, Response, SendFailed, ShardCallFailed, ShardHttp, ShardUnreachable
from shard.topology.resilience import Backoff, Breakers, BreakerState, CircuitBreaker


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_its_maximum() -> None:
    assert Backoff(initial=0.1, factor=2, maximum=0.3, attempts=5).delays() == [0.1, 0.2, 0.3, 0.3]
    assert Backoff(attempts=1).delays() == []


def test_breaker_opens_after_threshold_consecutive_connect_failures() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=clock)
    breaker.connect_failed()
    breaker.connect_failed()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.connect_failed()
    assert breaker.state.value == "open"
    assert not breaker.allow() and not breaker.available


def test_an_answer_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, clock=Clock())
    breaker.connect_failed()
    breaker.succeeded()
    breaker.connect_failed()
    assert breaker.state is BreakerState.CLOSED


def test_half_open_lets_one_trial_through_and_its_outcome_decides() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=clock)
    breaker.connect_failed()
    clock.now += 10
    assert breaker.state is BreakerState.HALF_OPEN and breaker.available
    assert breaker.allow()
    assert not breaker.allow() and not breaker.available  # a second caller waits for the trial
    breaker.connect_failed()
    assert breaker.state is BreakerState.OPEN  # the failed trial opens it for another cooldown
    clock.now += 10
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_trial_never_reported_expires_after_a_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=clock)
    breaker.connect_failed()
    clock.now += 10
    assert breaker.allow()  # its caller is cancelled and never reports
    clock.now += 5
    assert not breaker.allow()
    clock.now += 5
    assert breaker.allow()


def test_breakers_are_per_shard() -> None:
    breakers = Breakers(threshold=1, clock=Clock())
    breakers.of("a").connect_failed()
    assert not breakers.available("a") and breakers.available("b")
    assert breakers.of("a") is breakers.of("a")


@dataclass
class FakeTransport:
    outcomes: list[Response | Exception]
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, method: str, url: str, body: object) -> Response:
        self.sent.append((method, url))
        outcome = self.outcomes.pop(0) if self.outcomes else Response(200, {})
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def close(self) -> None:
        return None


def http_with(outcomes: list[Response | Exception], clock: Clock | None = None) -> tuple[ShardHttp, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    breakers = Breakers(threshold=3, cooldown=10, clock=clock or Clock())
    backoff = Backoff(initial=0.1, factor=2, maximum=1, attempts=4)
    return ShardHttp(FakeTransport(outcomes), backoff, breakers, sleep), slept


async def test_connect_failures_are_retried_with_backoff_then_succeed() -> None:
    http, slept = http_with([ConnectFailed("refused"), ConnectFailed("refused"), Response(201, {"a": 1})])
    assert await http.call("s1", "POST", "https://s1/x") == Response(201, {"a": 1})
    assert slept == [0.1, 0.2]
    assert http.available("s1")


async def test_breaker_opens_during_the_retries_and_the_call_is_unreachable() -> None:
    http, slept = http_with([ConnectFailed("connection refused")] * 4)
    with pytest.raises(ShardUnreachable) as caught:
        await http.call("s1", "GET", "https://s1/x")
    assert caught.value.shard_name == "s1" and "connection refused" in str(caught.value)
    assert len(http.transport.sent) == 3  # type: ignore[attr-defined]  # the third failure opened the breaker
    assert not http.available("s1")


async def test_open_breaker_fails_fast_without_sending() -> None:
    http, _ = http_with([ConnectFailed("refused")] * 3)
    with pytest.raises(ShardUnreachable):
        await http.call("s1", "GET", "https://s1/x")
    sent_before = len(http.transport.sent)  # type: ignore[attr-defined]
    with pytest.raises(ShardUnreachable, match="circuit breaker open"):
        await http.call("s1", "GET", "https://s1/x")
    assert len(http.transport.sent) == sent_before  # type: ignore[attr-defined]


async def test_failures_after_sending_are_not_unreachable() -> None:
    http, _ = http_with([SendFailed("reset")] * 4)
    with pytest.raises(ShardCallFailed, match="reset"):
        await http.call("s1", "POST", "https://s1/x")
    assert http.available("s1")


async def test_retried_statuses_then_the_answer() -> None:
    http, slept = http_with([Response(503, {"message": "busy"}), Response(409, {"reason": "AlreadyExists"})])
    assert (await http.call("s1", "POST", "https://s1/x")).status == 409
    assert slept == [0.1]


async def test_retried_statuses_until_the_end_fail_the_call() -> None:
    http, _ = http_with([Response(500, {"message": "boom"})] * 4)
    with pytest.raises(ShardCallFailed, match="HTTP 500: boom"):
        await http.call("s1", "GET", "https://s1/x")
