"""The HTTP layer: the aiohttp app (`app.create_app`), its request pipeline (`pipeline`),
webhook handlers, the admin API, problem+json answers, the request journal, and the
``programs:`` config read against its schema (`programs_config`).

What the command line, the certification harness and tests start the server with is
re-exported here: the app factory and its settings, the tokens the mock accepts, the spec
validator, and the runners that serve an app on one process or several.
"""

from loyapro_mock.mockserver.http.app import create_app, prepare_state
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.pipeline.validation import SpecValidator, UnsupportedSpecError
from loyapro_mock.mockserver.http.runner import run_workers, serve_app
from loyapro_mock.mockserver.http.settings import (
    DEFAULT_SECRET,
    DOCS_SAMPLE_TOKEN,
    Settings,
    SettingsError,
    StaticToken,
)

__all__ = [
    "DEFAULT_SECRET",
    "DOCS_SAMPLE_TOKEN",
    "Settings",
    "SettingsError",
    "SpecValidator",
    "StaticToken",
    "UnsupportedSpecError",
    "create_app",
    "issue_token",
    "prepare_state",
    "run_workers",
    "serve_app",
]
