"""The SQLite backend of `mockserver.store.protocol.Store`: a WAL file, or ``:memory:``."""

from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
