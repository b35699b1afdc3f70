"""Virtual workspaces served by a shard under `/services/...`: views over its logical clusters."""
