"""The registry: a generic Store over `shard.storage` plus one strategy module per kind."""
