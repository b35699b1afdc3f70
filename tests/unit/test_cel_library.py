"""The Kubernetes CEL function libraries on cel-python: each expression here is true upstream too."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.cel.meter import CostLimits, Meter, metering
from apimachinery.cel.parser import CelParser
from apimachinery.cel.program import EvaluationError, transpile

PARSER = CelParser()


def evaluate(expression: str) -> Any:
    program = transpile(PARSER.parse(expression), source=expression, variables=frozenset({"self", "oldSelf"}))
    meter = Meter(CostLimits())
    meter.start_call()
    with metering(meter):
        return program.evaluate({})


TRUE_EXPRESSIONS = [
    # Kubernetes lists library
    "[1, 2, 3].isSorted() && ['a', 'b', 'b', 'c'].isSorted() && ![2.0, 1.0].isSorted() && [].isSorted()",
    "[1, 3].sum() == 4 && [1.0, 3.0].sum() == 4.0 && [].sum() == 0",
    "[duration('1m'), duration('1s')].sum() == duration('61s')",
    "[1, 3].min() == 1 && [1, 3].max() == 3 && ['b', 'a'].min() == 'a'",
    "[1, 2, 2, 3].indexOf(2) == 1 && ['a', 'b', 'b', 'c'].lastIndexOf('b') == 2 && [1.0].indexOf(1.1) == -1",
    "[].indexOf('string') == -1",
    "[1, 2, 3].includes(2) && ![1, 2, 3].includes(4) && 'model-a'.includes('model-a')",
    # ext.Lists and ext.Sets
    "[1, 2, 3, 4].slice(1, 3) == [2, 3] && [1, [2, [3]]].flatten() == [1, 2, [3]]",
    "[1, [2, [3]]].flatten(2) == [1, 2, 3]",
    "[1, 2, 1, 3].distinct() == [1, 2, 3] && [1, 2].reverse() == [2, 1] && [3, 1, 2].sort() == [1, 2, 3]",
    "lists.range(3) == [0, 1, 2]",
    "sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2]) && sets.equivalent([1, 2], [2, 1, 1])",
    "sets.intersects([1, 2], [2, 3]) && !sets.intersects([1], [2])",
    # ext.Strings (version 2)
    "'hello'.charAt(1) == 'e' && 'hello'.charAt(5) == ''",
    "'hello mellow'.indexOf('ello') == 1 && 'hello mellow'.indexOf('ello', 2) == 7 && 'hello'.indexOf('') == 0",
    "'hello mellow'.lastIndexOf('ello') == 7 && 'hello mellow'.lastIndexOf('ello', 6) == 1",
    "'abc'.lastIndexOf('') == 3",
    "'TacoCat'.lowerAscii() == 'tacocat' && 'TacoCÆt'.upperAscii() == 'TACOCÆT'",
    "'hello hello'.replace('he', 'we') == 'wello wello' && 'hello hello'.replace('he', 'we', 1) == 'wello hello'",
    "'hello hello'.split(' ') == ['hello', 'hello'] && 'hello hello hello'.split(' ', 2) == ['hello', 'hello hello']",
    "'hello'.split('', 0) == [] && 'abc'.split('') == ['a', 'b', 'c']",
    "'tacocat'.substring(4) == 'cat' && 'tacocat'.substring(0, 4) == 'taco'",
    "'  \\ttrim\\n    '.trim() == 'trim'",
    "['hello', 'mellow'].join() == 'hellomellow' && ['hello', 'mellow'].join(' ') == 'hello mellow'",
    'strings.quote(\'single-quote with "double quote"\') == \'"single-quote with \\\\"double quote\\\\""\'',
    # regex
    "'abc 123'.find('[0-9]+') == '123' && 'abc'.find('[0-9]+') == ''",
    "'123 abc 456'.findAll('[0-9]+') == ['123', '456'] && '123 abc 456'.findAll('[0-9]+', 1) == ['123']",
    "'baaab'.findAll('a*') == ['', 'aaa', '']",
    "'abc'.matches('^[a-c]+$') && matches('abc', 'b')",
    # URLs
    "url('https://user:pass@example.com:80/path?query=val#fragment').getScheme() == 'https'",
    "url('https://example.com:80/').getHost() == 'example.com:80' && url('https://[::1]:80/').getHost() == '[::1]:80'",
    "url('https://[::1]:80/').getHostname() == '::1' && url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
    "url('https://example.com:80/').getPort() == '80' && url('https://example.com/').getPort() == ''",
    "url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'",
    "url('https://example.com').getEscapedPath() == '' && url('/path').getHost() == ''",
    "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
    "url('https://example.com/path?key with spaces=value').getQuery() == {'key with spaces': ['value']}",
    "url('https://example.com/path?').getQuery() == {} && url('/path').getScheme() == ''",
    "isURL('https://user:pass@example.com:80/path?query=val#fragment') && isURL('/absolute-path')",
    "!isURL('https://a:b:c/') && !isURL('../relative-path')",
    # quantities
    "quantity('200M') == quantity('0.2G') && quantity('2M') == quantity('0.002G')",
    "quantity('200M') != quantity('0.3G')",
    "quantity('50M').isLessThan(quantity('50Mi')) && quantity('50Mi').isGreaterThan(quantity('50M'))",
    "quantity('200M').compareTo(quantity('0.2G')) == 0 && quantity('50M').compareTo(quantity('50Mi')) == -1",
    "quantity('50000000G').isInteger() && quantity('50k').isInteger() && quantity('50k').asInteger() == 50000",
    "!quantity('9999999999999999999999999999999999999G').isInteger()",
    "quantity('50k').sub(20000).asApproximateFloat() == 30000.0",
    "quantity('50k').add(quantity('20k')) == quantity('70k') && quantity('50k').add(20) == quantity('50020')",
    "quantity('50k').sub(quantity('20k')) == quantity('30k') && quantity('50k').sub(20000) == quantity('30k')",
    "quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')",
    "quantity('-5').sign() == -1 && quantity('0').sign() == 0 && quantity('1Ki').sign() == 1",
    "quantity('1Ki').asInteger() == 1024 && quantity('1e3').asInteger() == 1000",
    # as upstream: only an int64Amount with a non-negative scale converts, not 1000m nor a binary fraction
    "!quantity('1000m').isInteger() && !quantity('1.5Gi').isInteger() && quantity('1.5Gi') == quantity('1536Mi')",
    "isQuantity('1.3G') && isQuantity('1.3Gi') && isQuantity('10000k') && isQuantity('20')",
    "!isQuantity('1,3G') && !isQuantity('200K') && !isQuantity('Three') && !isQuantity('20Mo') && !isQuantity('10Mm')",
    # optionals (oldSelf with optionalOldSelf)
    "!optional.none().hasValue() && optional.of(1).hasValue() && optional.of(1).value() == 1",
    "optional.none().orValue(5) == 5 && optional.of(2).orValue(5) == 2 && !optional.ofNonZeroValue('').hasValue()",
    # standard CEL through our operators
    "dyn(1) == 1.0 && 1 < 1.5 && 2u > 1 && 'a' < 'b' && b'a' + b'b' == b'ab'",
    "[1, 'a'] != [1, 'b'] && {'a': 1} == {'a': 1} && 'a' in ['a'] && 'a' in {'a': 1}",
    "1.0 / 0.0 > 1e308 && 7 / 2 == 3 && -7 % 3 == -1 && 1.5 * 2.0 == 3.0",
    "[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2, 3].exists_one(x, x == 2)",
    "[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x > 1) == [2, 3] && {'a': 1}.all(k, k == 'a')",
    "size('abc') == 3 && 'abc'.size() == 3 && [1].size() == 1 && 'abc'.contains('b') && 'abc'.startsWith('a')",
    "type(1) == int && int('12') == 12 && string(12) == '12' && duration('1h') > duration('30m')",
    "timestamp('2020-01-01T00:00:00Z').getFullYear() == 2020",
]


@pytest.mark.parametrize("expression", TRUE_EXPRESSIONS)
def test_library_expression_is_true(expression: str) -> None:
    assert evaluate(expression) is not None
    assert bool(evaluate(expression)) is True


ERRORS = [
    ("[].min()", "min called on empty list"),
    ("'abc'.charAt(5)", "index out of range: 5"),
    ("'tacocat'.substring(40)", "index out of range: 40"),
    ("'tacocat'.substring(4, 2)", "invalid substring range. start: 4, end: 2"),
    ("{'a': 1}['b'] == 1", "no such key: b"),
    ("[1][3] == 1", "index '3' out of range in list size '1'"),
    ("1 / 0 == 1", "division by zero"),
    ("1 % 0 == 1", "modulus by zero"),
    ("9223372036854775807 + 1 > 0", "integer overflow"),
    (
        "url('https://a:b:c/').getHost() == ''",
        'URL parse error during conversion from string: parse "https://a:b:c/": invalid port ":c" after host',
    ),
    (
        "url('../relative').getHost() == ''",
        'URL parse error during conversion from string: parse "../relative": invalid URI for request',
    ),
    (
        "quantity('10Mo').isInteger()",
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ),
    ("quantity('10Mm').isInteger()", "unable to parse quantity's suffix"),
    ("quantity('9999999999999999999999999999999999999G').asInteger() > 0", "cannot convert value to integer"),
    ("optional.none().value() == 1", "optional.none() dereference"),
    ("[1, 2].slice(2, 1) == []", "cannot slice(2, 1), start index must be less than or equal to end index"),
    ("'a'.lowerAscii() == 1 || 1 + 'a' == 2", "no such overload"),
]


@pytest.mark.parametrize(("expression", "message"), ERRORS)
def test_library_errors_use_cel_go_texts(expression: str, message: str) -> None:
    with pytest.raises(EvaluationError) as raised:
        evaluate(expression)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "expression",
    ["false || 1 / 0 == 0 || true", "1 / 0 == 0 && false", "[1, 0].exists(x, 1 / x == 1)"],
)
def test_errors_absorbed_by_logical_operators(expression: str) -> None:
    assert evaluate(expression) is not None
