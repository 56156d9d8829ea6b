"""Piccolo tables and the queries the use cases need."""
