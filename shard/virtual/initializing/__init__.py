"""The initializing virtual workspace (kcp's `/services/initializingworkspaces/<initializer>`).

`paths.py` parses the URL, `filtering.py` holds the rules (which LogicalClusters an initializer sees,
which status changes it may make) and a filtering Storage view, `handler.py` serves the requests.
"""
