"""Statistics: the coverage service, charts and report exports."""
