"""etcd v3 storage: the only package that talks to etcd (client, embedded server, Etcd3Storage)."""
