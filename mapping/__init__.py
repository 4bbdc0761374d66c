"""Mapping: the unified account model, the normalisers that fill it, and the territory rules.

Everything here is pure: no HTTP, and no I/O beyond reading the territory file. Connectors hand
CRM records in; `mapping.fields` turns them into unified accounts; the territory engine decides
which territory and which rep each company belongs to.
"""
