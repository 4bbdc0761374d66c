"""Connectors: the product's only contact with the CRMs.

Each connector pulls accounts and owners into unified records, reads current owners and writes
owners back, behind one small interface (`connectors.base`). Connectors know nothing of
territories, and nothing above this package imports a vendor library or a vendor exception.
"""
