"""The runtime cost bound: an expensive rule is stopped, per call and per request, with upstream's texts."""

from __future__ import annotations

import time
from typing import Any

import pytest

from apimachinery.cel import OUT_OF_BUDGET, CelCompiler, CostLimits, compile_schema
from apimachinery.cel.meter import CostExceeded, Meter, Outcome, charge, metering
from apimachinery.errors import Cause

QUADRATIC = "self.l.all(x, self.l.all(y, x + y >= 0))"
CALL_LIMIT = (
    "'operation cancelled: actual cost limit exceeded': no further validation rules will be run "
    "due to call cost exceeds limit for rule: "
)


def list_schema(*rules: dict[str, Any], max_items: int = 3000) -> dict[str, Any]:
    spec = {
        "type": "object",
        "properties": {"l": {"type": "array", "maxItems": max_items, "items": {"type": "integer"}}},
        "x-kubernetes-validations": list(rules),
    }
    return {"type": "object", "properties": {"spec": spec, "other": {"type": "string"}}}


def test_quadratic_rule_over_a_large_list_is_stopped_quickly() -> None:
    compiled = compile_schema(list_schema({"rule": QUADRATIC}, {"rule": "self.l.size() > 5000"}))
    assert compiled.errors == ()
    started = time.monotonic()
    causes = compiled.validate({"spec": {"l": list(range(3000))}})
    assert time.monotonic() - started < 1.0
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "object": {CALL_LIMIT}{QUADRATIC}', "spec")]


def test_per_call_unit_limit_is_deterministic() -> None:
    limits = CostLimits(per_call_units=1_000, per_call_seconds=60, per_request_seconds=60)
    compiled = CelCompiler(limits=limits).compile_schema(list_schema({"rule": QUADRATIC, "message": "m"}))
    assert compiled.validate({"spec": {"l": list(range(20))}}) == []
    causes = compiled.validate({"spec": {"l": list(range(40))}})
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "object": {CALL_LIMIT}m', "spec")]


@pytest.mark.parametrize(("budget", "failures"), [(1_000, 0), (150, 1)])
def test_request_budget_is_shared_by_all_rules(budget: int, failures: int) -> None:
    limits = CostLimits(per_request_units=budget, per_call_seconds=60, per_request_seconds=60)
    rules = [{"rule": "self.l.all(x, x >= 0)"} for _ in range(3)]
    compiled = CelCompiler(limits=limits).compile_schema(list_schema(*rules))
    causes = compiled.validate({"spec": {"l": list(range(60))}})
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "object": {OUT_OF_BUDGET}', "spec")] * failures


def test_expensive_message_expression_stops_validation() -> None:
    rule = {"rule": "false", "messageExpression": "string(self.l.map(x, self.l.map(y, x)).size())"}
    limits = CostLimits(per_call_units=500, per_call_seconds=60, per_request_seconds=60)
    compiled = CelCompiler(limits=limits).compile_schema(list_schema(rule))
    causes = compiled.validate({"spec": {"l": list(range(50))}})
    detail = (
        "no further validation rules will be run due to call cost exceeds limit for messageExpression: "
        '"string(self.l.map(x, self.l.map(y, x)).size())"'
    )
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "object": {detail}', "spec")]


def test_string_work_is_charged_by_length() -> None:
    limits = CostLimits(per_call_units=1_000, per_call_seconds=60, per_request_seconds=60)
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string"}},
        "x-kubernetes-validations": [{"rule": "self.s.contains('x')", "message": "m"}],
    }
    compiled = CelCompiler(limits=limits).compile_schema(schema)
    assert compiled.validate({"s": "x" * 1_000}) == []
    assert compiled.validate({"s": "y" * 100_000}) == [
        Cause("FieldValueInvalid", f'Invalid value: "object": {CALL_LIMIT}m', "<nil>")
    ]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_meter_deadlines() -> None:
    clock = FakeClock()
    meter = Meter(CostLimits(per_call_seconds=0.1, per_request_seconds=0.3), clock=clock)
    meter.start_call()
    meter.charge(5)
    assert meter.finish_call(aborted=False) is Outcome.WITHIN
    meter.start_call()
    clock.now = 0.2
    with pytest.raises(CostExceeded):
        meter.charge(1)
    assert meter.finish_call(aborted=True) is Outcome.CALL_LIMIT
    meter.start_call()
    clock.now = 0.35
    with pytest.raises(CostExceeded):
        meter.charge(1)
    assert meter.finish_call(aborted=True) is Outcome.BUDGET_EXHAUSTED
    assert meter.exhausted()


def test_charges_outside_an_evaluation_are_free() -> None:
    charge(10**9)
    meter = Meter(CostLimits(per_call_units=1))
    meter.start_call()
    with metering(meter), pytest.raises(CostExceeded):
        charge(2)
