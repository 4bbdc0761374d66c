"""The portal's owners (the reps companies are assigned to), rendered as the v3 owners API does.

Territory rules name reps by email; writes assign by owner `id`, never `userId` (HubSpot owners
guide, https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide). Reps who left
are archived owners: listed only with `archived=true` ("Whether to return only results that
have been archived": hubspot-api-python `hubspot/crm/owners/api/owners_api.py`). Their `userId`
is null, as observed on real portals; HubSpot documents no value for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sandbox.hubspot.properties import iso_ms
from sandbox.seed import SeedRep

JsonObject = dict[str, object]

# Owner timestamps are not in the seed; owners are dated from a fixed day so output is stable.
OWNERS_CREATED_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
TEAM_ID_BASE = 178_000


@dataclass(frozen=True)
class Owner:
    rep: SeedRep
    position: int
    team_id: str | None
    archived_in_portal: bool = False
    """Archived in this portal only (a seat removed in HubSpot while the person stays active in
    Salesforce); otherwise an owner is archived when the seeded rep has left."""

    @property
    def id(self) -> str:
        return self.rep.hubspot_owner_id

    @property
    def archived(self) -> bool:
        return self.archived_in_portal or not self.rep.active

    def archive(self) -> Owner:
        return replace(self, archived_in_portal=True)

    def as_json(self) -> JsonObject:
        """{id, email, type, firstName, lastName, userId, userIdIncludingInactive, createdAt,
        updatedAt, archived, teams[{id, name, primary}]} (the response example of
        https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide;
        `teams` entries from https://developers.hubspot.com/docs/api-reference/legacy/crm/owners/get-owner)."""
        created_ms = OWNERS_CREATED_MS + self.position * 60_000
        updated_ms = created_ms + (86_400_000 if self.archived else 3_600_000)
        teams: list[JsonObject] = []
        if self.rep.team and self.team_id is not None:
            teams.append({"id": self.team_id, "name": self.rep.team, "primary": True})
        return {
            "id": self.id,
            "email": self.rep.email,
            "type": "PERSON",
            "firstName": self.rep.first_name,
            "lastName": self.rep.last_name,
            "userId": None if self.archived else self.rep.hubspot_user_id,
            "userIdIncludingInactive": self.rep.hubspot_user_id,
            "createdAt": iso_ms(created_ms),
            "updatedAt": iso_ms(updated_ms),
            "archived": self.archived,
            "teams": teams,
        }


def build_owners(reps: list[SeedRep]) -> list[Owner]:
    """Owners in id order, each team given a stable numeric id."""
    team_ids = {
        name: str(TEAM_ID_BASE + index)
        for index, name in enumerate(sorted({r.team for r in reps if r.team}))
    }
    ordered = sorted(reps, key=lambda r: int(r.hubspot_owner_id))
    return [Owner(rep, i, team_ids.get(rep.team)) for i, rep in enumerate(ordered)]
