"""The runtime cost bound of CEL evaluation: units per call and per request, plus wall-clock deadlines.

cel-python has no cost tracking, so evaluation is metered here instead. Work whose amount depends on
the data is charged as it happens: one unit per comprehension iteration, and size-proportional units
for string, list and map operations (equality, concatenation, `in`, regex, the library functions). An
expression without comprehensions does a bounded number of such operations, so these charges bound
every evaluation. Each charge also checks a monotonic-clock deadline, because a unit in Python costs
more time than in Go. Exceeding a limit raises `CostExceeded`, which no CEL error handling catches.

The meter of the evaluation in progress lives in a `ContextVar` (the only process-wide object here):
library functions are named by module path in the transpiled code, so they cannot be handed a meter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class CostLimits:
    """Upstream's unit limits (`PerCallLimit`, `RuntimeCELCostBudget`) and our wall-clock limits."""

    per_call_units: int = 1_000_000
    per_request_units: int = 10_000_000
    per_call_seconds: float = 0.25
    per_request_seconds: float = 1.0


class Outcome(Enum):
    """How one evaluation ended with respect to the budget."""

    WITHIN = "within"
    CALL_LIMIT = "call-limit"
    BUDGET_EXHAUSTED = "budget-exhausted"


class CostExceeded(Exception):
    """Raised from inside an evaluation that went over its per-call or per-request limit."""


class Meter:
    """Counts the units of one request's evaluations and enforces the limits of each call."""

    def __init__(self, limits: CostLimits, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._remaining = limits.per_request_units
        self._request_deadline = clock() + limits.per_request_seconds
        self._call_used = 0
        self._call_limit = limits.per_call_units
        self._call_deadline = self._request_deadline

    @property
    def remaining(self) -> int:
        return self._remaining

    def exhausted(self) -> bool:
        return self._remaining <= 0 or self._clock() > self._request_deadline

    def start_call(self) -> None:
        self._call_used = 0
        self._call_limit = min(self._limits.per_call_units, self._remaining + 1)
        self._call_deadline = min(self._clock() + self._limits.per_call_seconds, self._request_deadline)

    def charge(self, units: int) -> None:
        self._call_used += units
        if self._call_used > self._call_limit or self._clock() > self._call_deadline:
            raise CostExceeded()

    def finish_call(self, *, aborted: bool) -> Outcome:
        """Book the call's units against the request and say which limit, if any, it hit."""
        used, self._call_used = self._call_used, 0
        over_budget = used > self._remaining or self._clock() > self._request_deadline
        self._remaining -= used
        if over_budget:
            self._remaining = min(self._remaining, -1)
            return Outcome.BUDGET_EXHAUSTED
        return Outcome.CALL_LIMIT if aborted else Outcome.WITHIN


_ACTIVE: ContextVar[Meter | None] = ContextVar("kplane_cel_meter", default=None)


def charge(units: int = 1) -> None:
    """Charge the evaluation in progress, if any; raises `CostExceeded` past a limit."""
    meter = _ACTIVE.get()
    if meter is not None:
        meter.charge(units)


def size_units(length: int) -> int:
    """cel-go charges string and byte traversals 0.1 unit per element, rounded up."""
    return 1 + length // 10


@contextmanager
def metering(meter: Meter) -> Iterator[Meter]:
    """Make `meter` the one charged by evaluations in this context."""
    token = _ACTIVE.set(meter)
    try:
        yield meter
    finally:
        _ACTIVE.reset(token)
