"""The unified model's tables: accounts as pulled from either CRM, their contacts and
opportunities, reps, and cross-CRM links.

Importing this package registers the tables on `SQLModel.metadata`; migrations create them.
"""

from mapping.model.accounts import Account, CrmSource
from mapping.model.companies import CompanyLink, LinkOverride
from mapping.model.related import Contact, Opportunity
from mapping.model.reps import Rep

__all__ = [
    "Account",
    "CompanyLink",
    "Contact",
    "CrmSource",
    "LinkOverride",
    "Opportunity",
    "Rep",
]
