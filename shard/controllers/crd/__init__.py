"""The CRD controller: accepts names, serves established CRDs, and cleans up deleted ones."""
