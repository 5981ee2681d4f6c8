"""Identifiers, reference data (regions, industries), the working-day calendar, error codes."""
