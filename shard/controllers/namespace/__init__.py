"""The namespace controller: empties a terminating namespace, then lets it go."""
