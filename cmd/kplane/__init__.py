"""The `kplane` command: start | shard | version."""
