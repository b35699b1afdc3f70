"""The front-proxy: one URL for every workspace of every shard.

It authenticates the user (client certificate, token file, service-account token), resolves
`/clusters/<path|name>/…` to (shard, logical cluster) with the pure index of apimachinery/index (fed from
every shard's Shards, Workspaces and LogicalClusters, read-through on a miss), and forwards the request
over mTLS with the request-header identity, streaming the response. Imports `apimachinery` only.

Modules: options (flags → config) · authentication (the union, 401, ServiceAccount checks) · identity
(the headers sent to shards) · shardclient (the proxy's own calls to shards) · feeder (list+watch into
the index) · lookup (path → route, read-through) · forward (the streaming reverse proxy) · routes (which
request goes where) · metrics · server (the aiohttp app, TLS listener and process wiring).
"""
