"""The storage contract suite: run it against every Storage implementation.

Subclass StorageContract in a test module and provide an async `harness` fixture that yields a
StorageHarness (see harness.py); every test method then runs against that implementation.
"""

from shard.storage.testing.contract_batch import BatchContract
from shard.storage.testing.contract_crud import CrudContract
from shard.storage.testing.contract_list import ListContract
from shard.storage.testing.contract_watch import WatchContract
from shard.storage.testing.harness import StorageHarness


class StorageContract(CrudContract, BatchContract, ListContract, WatchContract):
    """Every contract test of the Storage Protocol."""


__all__ = ["BatchContract", "CrudContract", "ListContract", "StorageContract", "StorageHarness", "WatchContract"]
