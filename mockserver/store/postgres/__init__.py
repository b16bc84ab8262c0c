"""The PostgreSQL backend of `mockserver.store.protocol.Store`: one state for many instances."""

from loyapro_mock.mockserver.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
