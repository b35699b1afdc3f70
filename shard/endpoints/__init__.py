"""HTTP endpoints of a shard: routing, negotiation, one module per verb, discovery, OpenAPI, responses."""
