"""Storage of API objects: the interface (interface.py), etcd3 (the only place that talks to etcd), cacher."""
