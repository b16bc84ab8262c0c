"""`python -m loyapro_mock` runs the command line."""

from loyapro_mock.cli import main

main()
