"""The mock LoyaPro server, in three layers that depend one way.

- `mockserver.domain`: pure LoyaPro behaviour (order reading, business rules, loyalty
  programs, reward codes, accounts, the catalogue of problem codes) and the use cases
  (`mockserver.domain.usecases`: order, reward lookup, redeem, admin). It imports neither
  aiohttp, sqlite3 nor jsonschema_rs.
- `mockserver.store`: the `Store` protocol, `StoreError`, the SQLite backend and group commit.
- `mockserver.http`: the aiohttp app factory, the request pipeline, handlers, the admin API,
  problem+json answers and the journal.

Each layer imports only the layers above it in this list.
"""

#: Nothing: importing this package imports none of its layers; import them by name.
__all__: list[str] = []
