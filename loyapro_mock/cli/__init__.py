"""The `loyapro-mock` command line: it only wires the packages together."""

from __future__ import annotations

import click

from loyapro_mock import __version__
from loyapro_mock.cli.certify import certify_group
from loyapro_mock.cli.demo import demo
from loyapro_mock.cli.example import example
from loyapro_mock.cli.fixtures import fixtures_group
from loyapro_mock.cli.reference_pos import reference_pos
from loyapro_mock.cli.serve import serve
from loyapro_mock.cli.spec import spec_group
from loyapro_mock.cli.token import token

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loyapro-mock")
def main() -> None:
    """A mock LoyaPro server and certification harness for POS integrations.

    \b
    Start here:
      loyapro-mock serve            run the mock LoyaPro on http://127.0.0.1:8080
      loyapro-mock demo             certify the bundled reference POS end to end
      loyapro-mock reference-pos    run the reference POS on http://127.0.0.1:9000
      loyapro-mock spec show        list the contract's operations
    """


main.add_command(spec_group)
main.add_command(serve)
main.add_command(token)
main.add_command(example)
main.add_command(certify_group)
main.add_command(demo)
main.add_command(reference_pos)
main.add_command(fixtures_group)
