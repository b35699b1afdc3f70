"""Serializers: the wire forms of Kubernetes objects (JSON, YAML and the Kubernetes protobuf envelope)."""
