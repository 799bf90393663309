"""Foyer: the platform library every Lambda shares (settings, AWS clients, logging, errors, glue)."""
