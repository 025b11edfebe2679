"""cogpower: the independent-steps model of cognitive power (Kwa 2023). Placeholder."""
