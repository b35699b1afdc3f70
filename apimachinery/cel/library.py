"""The registry of CEL functions: what each name runs, how it may be called, and what it returns.

`RUNTIME_FUNCTIONS` maps the names cel-python's transpiler looks up (operators such as `_==_`, the
internal `@range`/`@list.min`, namespaced `sets.contains`, and every library function) to the Python
functions in the `lib_*` modules; a name absent here falls back to cel-python's own `base_functions`.
`SIGNATURES` tells the checker which names exist, whether they are called as `f(x)` (global) or
`x.f()` (member), how many arguments they take and what they return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from celpy import celtypes

from apimachinery.cel import (
    lib_core,
    lib_lists,
    lib_operators,
    lib_optional,
    lib_quantity,
    lib_regex,
    lib_strings,
    lib_urls,
)
from apimachinery.cel.parser import LIST_MIN_FUNCTION, RANGE_FUNCTION
from apimachinery.cel.types import (
    BOOL,
    BYTES,
    DOUBLE,
    DURATION,
    DYN,
    INT,
    QUANTITY,
    STRING,
    TIMESTAMP,
    TYPE,
    UINT,
    URL,
    CelType,
    list_of,
    map_of,
    optional_of,
)

ResultRule = Callable[[CelType | None, list[CelType]], CelType]


def returns(result: CelType) -> ResultRule:
    return lambda receiver, args: result


def _receiver(receiver: CelType | None, args: list[CelType]) -> CelType:
    return receiver or DYN


def _element(receiver: CelType | None, args: list[CelType]) -> CelType:
    return receiver.elem if receiver is not None and receiver.elem is not None else DYN


def _optional_of_argument(receiver: CelType | None, args: list[CelType]) -> CelType:
    return optional_of(args[0] if args else DYN)


@dataclass(frozen=True)
class Signature:
    """How a CEL function may be called: as `f(...)`, as `x.f(...)`, with how many arguments."""

    member_arities: tuple[int, ...] = ()
    global_arities: tuple[int, ...] = ()
    result: ResultRule = returns(DYN)
    receivers: frozenset[str] = frozenset()

    def accepts(self, receiver: CelType) -> bool:
        """Whether a member call on a value of this type can resolve (unknown types always can)."""
        return not self.receivers or not receiver.is_known() or receiver.kind in self.receivers


def _member(*arities: int, result: ResultRule, on: str = "") -> Signature:
    return Signature(member_arities=arities, result=result, receivers=frozenset(on.split()))


def _global(*arities: int, result: ResultRule) -> Signature:
    return Signature(global_arities=arities, result=result)


_CONVERSIONS = {"int": INT, "uint": UINT, "double": DOUBLE, "string": STRING, "bytes": BYTES, "bool": BOOL}
_CONVERSIONS |= {"duration": DURATION, "timestamp": TIMESTAMP, "type": TYPE}
_TIME_GETTERS = (
    *("getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getMonth"),
    *("getHours", "getMilliseconds", "getMinutes", "getSeconds"),
)
_URL_GETTERS = ("getScheme", "getHost", "getHostname", "getPort", "getEscapedPath")

SIGNATURES: Mapping[str, Signature] = {
    **{name: _global(1, result=returns(result)) for name, result in _CONVERSIONS.items()},
    **{name: _member(0, 1, result=returns(INT), on="timestamp duration") for name in _TIME_GETTERS},
    **{name: _member(0, result=returns(STRING), on="kubernetes.URL") for name in _URL_GETTERS},
    "size": Signature((0,), (1,), returns(INT), frozenset({"string", "bytes", "list", "map"})),
    "matches": Signature((1,), (2,), returns(BOOL), frozenset({"string"})),
    "contains": _member(1, result=returns(BOOL), on="string"),
    "startsWith": _member(1, result=returns(BOOL), on="string"),
    "endsWith": _member(1, result=returns(BOOL), on="string"),
    "charAt": _member(1, result=returns(STRING), on="string"),
    "indexOf": _member(1, 2, result=returns(INT), on="string list"),
    "lastIndexOf": _member(1, 2, result=returns(INT), on="string list"),
    "lowerAscii": _member(0, result=returns(STRING), on="string"),
    "upperAscii": _member(0, result=returns(STRING), on="string"),
    "replace": _member(2, 3, result=returns(STRING), on="string"),
    "split": _member(1, 2, result=returns(list_of(STRING)), on="string"),
    "substring": _member(1, 2, result=returns(STRING), on="string"),
    "trim": _member(0, result=returns(STRING), on="string"),
    "join": _member(0, 1, result=returns(STRING), on="list"),
    "strings.quote": _global(1, result=returns(STRING)),
    "isSorted": _member(0, result=returns(BOOL), on="list"),
    "sum": _member(0, result=_element, on="list"),
    "min": _member(0, result=_element, on="list"),
    "max": _member(0, result=_element, on="list"),
    "includes": _member(1, result=returns(BOOL)),
    "slice": _member(2, result=_receiver, on="list"),
    "flatten": _member(0, 1, result=returns(list_of(DYN)), on="list"),
    "distinct": _member(0, result=_receiver, on="list"),
    "reverse": _member(0, result=_receiver, on="list"),
    "sort": _member(0, result=_receiver, on="list"),
    "lists.range": _global(1, result=returns(list_of(INT))),
    "sets.contains": _global(2, result=returns(BOOL)),
    "sets.equivalent": _global(2, result=returns(BOOL)),
    "sets.intersects": _global(2, result=returns(BOOL)),
    "find": _member(1, result=returns(STRING), on="string"),
    "findAll": _member(1, 2, result=returns(list_of(STRING)), on="string"),
    "url": _global(1, result=returns(URL)),
    "isURL": _global(1, result=returns(BOOL)),
    "getQuery": _member(0, result=returns(map_of(list_of(STRING))), on="kubernetes.URL"),
    "quantity": _global(1, result=returns(QUANTITY)),
    "isQuantity": _global(1, result=returns(BOOL)),
    "compareTo": _member(1, result=returns(INT), on="kubernetes.Quantity"),
    "isGreaterThan": _member(1, result=returns(BOOL), on="kubernetes.Quantity"),
    "isLessThan": _member(1, result=returns(BOOL), on="kubernetes.Quantity"),
    "sign": _member(0, result=returns(INT), on="kubernetes.Quantity"),
    "isInteger": _member(0, result=returns(BOOL), on="kubernetes.Quantity"),
    "asInteger": _member(0, result=returns(INT), on="kubernetes.Quantity"),
    "asApproximateFloat": _member(0, result=returns(DOUBLE), on="kubernetes.Quantity"),
    "add": _member(1, result=returns(QUANTITY), on="kubernetes.Quantity"),
    "sub": _member(1, result=returns(QUANTITY), on="kubernetes.Quantity"),
    "hasValue": _member(0, result=returns(BOOL), on="optional_type"),
    "value": _member(0, result=_element, on="optional_type"),
    "orValue": _member(1, result=_element, on="optional_type"),
    "optional.of": _global(1, result=_optional_of_argument),
    "optional.ofNonZeroValue": _global(1, result=_optional_of_argument),
    "optional.none": _global(0, result=returns(optional_of(DYN))),
}

RUNTIME_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "_==_": lib_operators.equals,
    "_!=_": lib_operators.not_equals,
    "_<_": lib_operators.less,
    "_<=_": lib_operators.less_equal,
    "_>_": lib_operators.greater,
    "_>=_": lib_operators.greater_equal,
    "_+_": lib_operators.add,
    "_-_": lib_operators.subtract,
    "_*_": lib_operators.multiply,
    "_/_": lib_operators.divide,
    "_%_": lib_operators.modulo,
    "_[_]": lib_operators.index,
    "_in_": lib_operators.contained_in,
    RANGE_FUNCTION: lib_core.comprehension_range,
    "size": lib_core.size,
    "contains": lib_core.contains,
    "startsWith": lib_core.starts_with,
    "endsWith": lib_core.ends_with,
    "matches": lib_core.matches,
    "charAt": lib_strings.char_at,
    "indexOf": lib_lists.index_of,
    "lastIndexOf": lib_lists.last_index_of,
    "lowerAscii": lib_strings.lower_ascii,
    "upperAscii": lib_strings.upper_ascii,
    "replace": lib_strings.replace,
    "split": lib_strings.split,
    "substring": lib_strings.substring,
    "trim": lib_strings.trim,
    "join": lib_strings.join,
    "strings.quote": lib_strings.quote,
    "isSorted": lib_lists.is_sorted,
    "sum": lib_lists.list_sum,
    LIST_MIN_FUNCTION: lib_lists.list_min,
    "max": lib_lists.list_max,
    "includes": lib_lists.includes,
    "slice": lib_lists.slice_list,
    "flatten": lib_lists.flatten,
    "distinct": lib_lists.distinct,
    "reverse": lib_lists.reverse,
    "sort": lib_lists.sort,
    "lists.range": lib_lists.lists_range,
    "sets.contains": lib_lists.sets_contains,
    "sets.equivalent": lib_lists.sets_equivalent,
    "sets.intersects": lib_lists.sets_intersects,
    "find": lib_regex.find,
    "findAll": lib_regex.find_all,
    "url": lib_urls.url,
    "isURL": lib_urls.is_url,
    "getScheme": lib_urls.get_scheme,
    "getHost": lib_urls.get_host,
    "getHostname": lib_urls.get_hostname,
    "getPort": lib_urls.get_port,
    "getEscapedPath": lib_urls.get_escaped_path,
    "getQuery": lib_urls.get_query,
    "quantity": lib_quantity.quantity,
    "isQuantity": lib_quantity.is_quantity,
    "compareTo": lib_quantity.compare_to,
    "isGreaterThan": lib_quantity.is_greater_than,
    "isLessThan": lib_quantity.is_less_than,
    "sign": lib_quantity.sign,
    "isInteger": lib_quantity.is_integer,
    "asInteger": lib_quantity.as_integer,
    "asApproximateFloat": lib_quantity.as_approximate_float,
    "add": lib_quantity.add,
    "sub": lib_quantity.sub,
    "hasValue": lib_optional.has_value,
    "value": lib_optional.value,
    "orValue": lib_optional.or_value,
    "optional.of": lib_optional.of,
    "optional.ofNonZeroValue": lib_optional.of_non_zero_value,
    "optional.none": lib_optional.none,
}

# cel-go's literal validators: (argument index, message, parser) for calls with a constant argument.
LITERAL_CHECKS: dict[str, tuple[int, str, Callable[[str], object]]] = {
    "matches": (-1, "invalid matches argument", lib_core.compile_regex),
    "duration": (0, "invalid duration argument", celtypes.DurationType),
    "timestamp": (0, "invalid timestamp", celtypes.TimestampType),
}
