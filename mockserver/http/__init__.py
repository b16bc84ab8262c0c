"""The HTTP layer: the aiohttp app (`app.create_app`), its request pipeline (`pipeline`),
webhook handlers, the admin API, problem+json answers and the request journal."""
