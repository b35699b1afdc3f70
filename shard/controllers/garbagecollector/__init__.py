"""The garbage collector: deletes dependents whose owners are gone, and runs orphan/foreground deletion."""
