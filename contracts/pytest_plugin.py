"""pytest plugin of loyapro-mock."""
