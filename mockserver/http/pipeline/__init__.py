"""The request pipeline: authentication, headers, size, JSON and schema checks, in order
(`middlewares`), before a handler runs."""
