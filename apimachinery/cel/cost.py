"""The CRD-time cost check: a lower bound of each rule's cost, held against upstream's static limits.

cel-python has no cost estimator, and cel-go's cannot be reproduced exactly. What is computed here is
a lower bound of cel-go's estimate: only comprehension iterations are counted (each costs cel-go at
least one unit), over the same size bounds upstream assumes (maxItems/maxProperties, or what fits in
a 3 MiB request), times the number of times the rule can run (its node's cardinality). A rule whose
lower bound exceeds `STATIC_ESTIMATED_COST_LIMIT` is certainly rejected upstream too, so it is
rejected here with upstream's message; a rule upstream rejects for other costs (string operations on
unbounded strings, for example) is accepted here, and then bounded at runtime by the meter. The factor
printed between 1x and 100x can therefore be lower than upstream's; "more than 100x" is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apimachinery.errors import Cause
from apimachinery.validation import field as field_errors

STATIC_ESTIMATED_COST_LIMIT = 10_000_000
STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000
_HINT = (
    "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, "
    "and strings are declared)"
)


def cost_error_message(cost_name: str, cost: int, limit: int) -> str:
    """Upstream `getCostErrorMessage`."""
    factor = cost / limit
    if factor > 100.0:
        shown = "more than 100x"
    elif factor < 1.5:
        shown = f"{factor:f}x"
    else:
        shown = f"{factor:.1f}x"
    return f"{cost_name} exceeds budget by factor of {shown} {_HINT}"


@dataclass
class TotalCost:
    """The running total of rule costs of one schema, and the (at most 4) rules that cost most."""

    total: int = 0
    most_expensive: list[tuple[int, str]] = field(default_factory=list)

    def observe(self, path: str, cost: int) -> None:
        self.total += cost
        if cost < STATIC_ESTIMATED_CRD_COST_LIMIT // 100:
            return
        self.most_expensive.append((cost, path))
        self.most_expensive.sort(key=lambda entry: -entry[0])
        del self.most_expensive[4:]

    def causes(self, schema_path: str) -> list[Cause]:
        """The Forbidden causes upstream adds when the whole schema is over its limit."""
        if self.total <= STATIC_ESTIMATED_CRD_COST_LIMIT:
            return []
        detail = "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"
        causes = [field_errors.forbidden(path, detail) for _, path in self.most_expensive]
        name = "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema"
        causes.append(
            field_errors.forbidden(schema_path, cost_error_message(name, self.total, STATIC_ESTIMATED_CRD_COST_LIMIT))
        )
        return causes


def expression_cost(iterations: int, cardinality: int) -> int:
    """Upstream `getExpressionCost`: the rule's cost times how often it can run."""
    return iterations * cardinality
