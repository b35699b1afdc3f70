"""The ClusterRole aggregation controller: aggregated ClusterRoles get the rules of the ClusterRoles their
aggregationRule selects, in the same logical cluster."""
