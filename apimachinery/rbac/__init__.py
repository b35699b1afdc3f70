"""RBAC PolicyRule semantics shared by the authorizers, the escalation checks and the reviews."""
