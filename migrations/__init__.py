"""Alembic migrations for the product's schema; applied with `territory-sync db upgrade`."""
