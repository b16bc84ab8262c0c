"""The HTTP layer: the aiohttp app (`app.create_app`), its request pipeline (`pipeline`),
webhook handlers, the admin API, problem+json answers, the request journal, and the
``programs:`` config read against its schema (`programs_config`)."""
