"""HubSpot owners become reps: assigned by owner id, reps who left come back inactive."""

from __future__ import annotations

from sandbox.ids import salesforce_id
from sandbox.seed import SeedRep
from tests.connectors.test_hubspot_support import ARCHIVED_OWNER, StartRig, hubspot, owner_id

__all__ = ["hubspot"]


def test_reps_are_known_by_owner_id_never_user_id(hubspot: StartRig) -> None:
    rig = hubspot()
    reps = {rep.email: rep for rep in rig.connect().pull_reps()}
    ana = reps["ana.ortiz@acme-revenue.example"]
    assert (ana.crm_id, ana.name, ana.active) == (owner_id(1), "Ana Ortiz", True)


def test_an_archived_owner_is_an_inactive_rep(hubspot: StartRig) -> None:
    rig = hubspot()
    reps = {rep.crm_id: rep for rep in rig.connect().pull_reps()}
    assert reps[ARCHIVED_OWNER].active is False


def test_every_owner_is_pulled_across_pages(hubspot: StartRig) -> None:
    many = [
        SeedRep(
            f"rep{n}@example.com",
            "Rep",
            str(n),
            n % 10 != 0,
            salesforce_id("005", n),
            str(80_000 + n),
            6_000_000 + n,
            "emea",
        )
        for n in range(1, 1_201)
    ]
    rig = hubspot(reps=many)
    reps = rig.connect().pull_reps()
    assert len({rep.crm_id for rep in reps}) == 1_200
    assert sum(not rep.active for rep in reps) == 120
    assert rig.portal.requests.count("owners") == 4  # 1,080 active in 3 pages, 120 archived in 1
