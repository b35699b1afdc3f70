"""Path index: `root:org:team` → logical cluster → shard, as pure state plus a lookup (no I/O)."""
