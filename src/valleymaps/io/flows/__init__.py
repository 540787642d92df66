"""Commuting flows: LODES origin-destination files and ACS county-to-county flows."""
