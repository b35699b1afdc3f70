"""Authentication shared by the shard and the front-proxy: users, credentials, static tokens, client
certificates, service-account JWT verification and the union of authenticators (no server code)."""
