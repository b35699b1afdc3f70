"""RBAC of logical clusters: the in-memory index of roles and bindings, the authorizers over it, the
follower that feeds it, per-request permissions for admission, and the bootstrap policy."""
