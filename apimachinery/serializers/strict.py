"""The texts of strict decoding errors (fieldValidation Strict and Warn), as upstream writes them.

A strict decoding produces a list of errors, each one line (`unknown field "spec.foo"`, `duplicate field
"metadata.name"`, `json patch unknown field "[0].foo"`) except the one error of the YAML step, which
lists every repeated key (`yaml: unmarshal errors:\n  line 5: key "name" already set in map`). Strict
joins them into one message; Warn answers one warning per error, the YAML error split per line.
"""

from __future__ import annotations

from collections.abc import Iterable

from apimachinery.validation.field import go_quote

MAX_DECODER_ERRORS = 100  # upstream's JSON decoder stops collecting strict errors there
STRICT_PREFIX = "strict decoding error: "
YAML_PREFIX = "yaml: unmarshal errors:\n"
CONVERTING_PREFIX = "error converting YAML to JSON: "


def unknown_field(path: str) -> str:
    return f"unknown field {go_quote(path)}"


def duplicate_field(path: str) -> str:
    return f"duplicate field {go_quote(path)}"


def yaml_errors(lines: list[str]) -> list[str]:
    """The go-yaml error of these duplicate-key lines, as a one-element list (empty without lines)."""
    return [YAML_PREFIX + "  " + "\n  ".join(lines)] if lines else []


def strict_decoding_error(errors: Iterable[str]) -> str:
    return STRICT_PREFIX + ", ".join(errors)


def warnings(errors: Iterable[str]) -> list[str]:
    """One warning per error; a YAML error gives one warning per repeated key."""
    texts: list[str] = []
    for error in errors:
        body = error.removeprefix(CONVERTING_PREFIX)
        if body.startswith(YAML_PREFIX):
            texts.extend(line.strip() for line in body[len(YAML_PREFIX) :].split("\n"))
        else:
            texts.append(error)
    return texts
