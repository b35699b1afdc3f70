"""Controllers that run inside a shard: one folder each (controller.py wiring, reconcile_*.py steps)."""
