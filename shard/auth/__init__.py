"""Authentication, authorization and admission of shard requests."""
