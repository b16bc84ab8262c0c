"""The request pipeline: authentication, headers, size, JSON and schema checks, in order
(`middlewares`), before a handler runs."""

#: Nothing: import the pipeline's modules by name (`mockserver.http` re-exports the few entry points).
__all__: list[str] = []
