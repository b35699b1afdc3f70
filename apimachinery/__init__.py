"""Shared vocabulary of kplane: names, errors, selectors, patches, serializers, API type definitions."""
