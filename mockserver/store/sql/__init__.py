"""What the SQL backends share: the tables' shapes, the row mapping, the statements and the
`StoreTx` written once in the SQL both dialects speak (``?`` placeholders).

A backend (`mockserver.store.sqlite`, `mockserver.store.postgres`) keeps only what its
dialect says otherwise: placeholders, upserts, new ids, connections, locking and errors.
"""

__all__: list[str] = []
