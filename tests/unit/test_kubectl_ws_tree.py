"""kubectl_ws.tree: treeprint's drawing as kcp prints it, and Go tabwriter alignment for `--wide`."""

from __future__ import annotations

from kubectl_ws.tree import Node, render, tabwrite


def test_single_node() -> None:
    assert render(Node("root")) == ".\n└── root\n"


def test_nested_tree_draws_links_only_where_siblings_follow() -> None:
    root = Node("root")
    org = root.add("org")
    team_a = org.add("team-a")
    team_a.add("x")
    org.add("team-b")
    other = root.add("other")
    other.add("leaf")
    assert render(root) == (
        ".\n"
        "└── root\n"
        "    ├── org\n"
        "    │   ├── team-a\n"
        "    │   │   └── x\n"
        "    │   └── team-b\n"
        "    └── other\n"
        "        └── leaf\n"
    )


def test_deep_last_children_leave_blank_columns() -> None:
    root = Node("root")
    a = root.add("a")
    b = a.add("b")
    b.add("c")
    root.add("d")
    assert render(root) == (".\n└── root\n    ├── a\n    │   └── b\n    │       └── c\n    └── d\n")


def test_mount_leaf_label() -> None:
    root = Node("root")
    root.add("mounted [m]")
    assert render(root).endswith("    └── mounted [m]\n")


def test_tabwriter_aligns_columns_with_padding_two() -> None:
    text = ".\n└── root\tws=-\tlc=Ready\n    └── org\tws=Ready\tlc=Ready\n"
    assert tabwrite(text) == (".\n└── root     ws=-      lc=Ready\n    └── org  ws=Ready  lc=Ready\n")


def test_tabwriter_counts_characters_not_bytes_and_blocks_break_at_lines_without_cells() -> None:
    text = "ä\tb\tc\nxyz\td\nplain\nq\tr\n"
    assert tabwrite(text) == "ä    b  c\nxyz  d\nplain\nq  r\n"


def test_tabwriter_column_blocks_are_per_consecutive_run() -> None:
    # Column 1 exists only on the first two lines: its block ends where the third line has fewer cells.
    text = "a\tbb\tc\naaa\tb\tc\naaaaa\tz\n"
    assert tabwrite(text) == "a      bb  c\naaa    b   c\naaaaa  z\n"
