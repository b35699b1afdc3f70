"""Drawing `kubectl ws tree`, pure: kcp's tree layout and Go's tab-aligned `--wide` columns.

kcp renders with `github.com/xlab/treeprint`: a first line `.`, then one line per node with
`├── ` / `└── ` in front and `│   ` / four spaces for every ancestor level that has / has not more
siblings below. `--wide` labels carry tab-separated status cells that are aligned like Go's
`text/tabwriter` with padding 2 and space padding. Building the node tree from the API lives in
`commands`; here are only the shapes and the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EDGE_LINK = "│"
EDGE_MID = "├──"
EDGE_END = "└──"
INDENT = 3


@dataclass
class Node:
    """One line of the tree and the nodes below it, in order."""

    label: str
    children: list[Node] = field(default_factory=list)

    def add(self, label: str) -> Node:
        child = Node(label)
        self.children.append(child)
        return child


def render(top: Node, root_label: str = ".") -> str:
    """The tree as treeprint prints `New()` with `top` as its only branch: ends with a newline."""
    lines = [root_label]
    _render_children([top], 0, frozenset(), lines)
    return "\n".join(lines) + "\n"


def _render_children(nodes: list[Node], level: int, ended: frozenset[int], lines: list[str]) -> None:
    for index, node in enumerate(nodes):
        last = index == len(nodes) - 1
        levels_ended = ended | {level} if last else ended
        prefix = "".join(" " * (INDENT + 1) if i in levels_ended else EDGE_LINK + " " * INDENT for i in range(level))
        lines.append(f"{prefix}{EDGE_END if last else EDGE_MID} {_indent_continuation(node.label, prefix, last)}")
        if node.children:
            _render_children(node.children, level + 1, levels_ended, lines)


def _indent_continuation(label: str, prefix: str, last: bool) -> str:
    """Multi-line labels: later lines are indented under the first (treeprint's padding)."""
    first, *rest = label.split("\n")
    if not rest:
        return first
    pad = prefix + (" " * (INDENT + 1) if last else EDGE_LINK + " " * INDENT)
    return "\n".join([first, *(pad + line for line in rest)])


def tabwrite(text: str, *, padding: int = 2, min_width: int = 0) -> str:
    """Go's `tabwriter.NewWriter(w, min_width, 0, padding, ' ', 0)` applied to `text`, then flushed.

    Cells end at a tab; the last cell of a line is not aligned. A column block is a run of
    consecutive lines that have a cell in that column; its width is the widest cell plus padding.
    A line without any tab ends every block.
    """
    lines = text.split("\n")
    trailing_newline = text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    out: list[str] = []
    segment: list[list[str]] = []
    for line in lines:
        cells = line.split("\t")
        segment.append(cells)
        if len(cells) == 1:
            out += _format(segment, padding, min_width)
            segment = []
    out += _format(segment, padding, min_width)
    return "\n".join(out) + ("\n" if trailing_newline else "")


def _format(rows: list[list[str]], padding: int, min_width: int) -> list[str]:
    rendered = [""] * len(rows)
    _format_block(rows, 0, len(rows), [], padding, min_width, rendered)
    return rendered


def _format_block(rows: list[list[str]], start: int, end: int, widths: list[int], padding: int, min_width: int,
                  rendered: list[str]) -> None:
    """Go's `Writer.format`: find each block of the next column, fix its width, recurse to the right."""
    column = len(widths)
    line = start
    while line < end:
        if column >= len(rows[line]) - 1:
            line += 1
            continue
        _write_lines(rows, start, line, widths, rendered)
        block_start = line
        width = min_width
        while line < end and column < len(rows[line]) - 1:
            width = max(width, len(rows[line][column]) + padding)
            line += 1
        _format_block(rows, block_start, line, [*widths, width], padding, min_width, rendered)
        start = line
    _write_lines(rows, start, end, widths, rendered)


def _write_lines(rows: list[list[str]], start: int, end: int, widths: list[int], rendered: list[str]) -> None:
    for index in range(start, end):
        cells = rows[index]
        parts: list[str] = []
        for position, cell in enumerate(cells):
            if position < len(widths) and position < len(cells) - 1:
                parts.append(cell + " " * (widths[position] - len(cell)))
            else:
                parts.append(cell)
        rendered[index] = "".join(parts)
