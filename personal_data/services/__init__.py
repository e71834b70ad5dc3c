"""The personal-data services: the export (export) and closing an account (closing)."""
