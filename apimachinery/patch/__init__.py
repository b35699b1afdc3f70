"""Patch application: JSON merge patch (RFC 7386) and strategic merge patch for built-in kinds."""
