"""The domain: what LoyaPro does with what a POS sends, with no HTTP and no database.

It reads and writes `records.StoreTx` records inside `records.Transactions`, which the store
layer implements; `usecases` holds one module per operation a client can call.
"""

#: Nothing: importing this package imports none of its modules; import them by name.
__all__: list[str] = []
