"""The home readiness controller: a home workspace's LogicalCluster becomes Ready once its initializers are done."""
