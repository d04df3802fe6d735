"""What a buyer is told about a bidder's assurance: its latest status, and two warnings.

A provider is flagged when its latest Checkpoint 2 outcome is scenario C ("Stop"), or when
it has no hosting recommendation: no signed-off Checkpoint 3 review recommending that the
Board host it (with or without conditions). Independent providers are never assured through
the CSS checkpoints, so they carry the second flag too: the buyer should know that.
Checkpoints are found by their rule, so a later checkpoint reusing a rule counts as well.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from marketplace.domain.checkpoints import HostingRecommendation, Scenario

from .assurance import latest_status_and_codes

SCENARIO_RULE = "cp2_scenario"
HOSTING_RULE = "cp3_hosting"
HOSTED = {HostingRecommendation.HOST.value, HostingRecommendation.HOST_WITH_CONDITIONS.value}
STOP_FLAG = "Checkpoint 2 outcome was scenario C: Stop"
NOT_HOSTED_FLAG = "No hosting recommendation from Checkpoint 3"


@dataclass(frozen=True)
class AssuranceNote:
    status: str
    flags: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def text(self) -> str:
        if not self.flags:
            return self.status
        return f"{self.status}. Flagged: {'; '.join(self.flags)}."


def assurance_note(provider_ids: Iterable[int]) -> dict[int, AssuranceNote]:
    ids = list(dict.fromkeys(provider_ids))
    if not ids:
        return {}
    statuses, latest = latest_status_and_codes(ids, (SCENARIO_RULE, HOSTING_RULE))
    scenarios, hosting = latest[SCENARIO_RULE], latest[HOSTING_RULE]
    notes = {}
    for provider_id in ids:
        flags = []
        if scenarios.get(provider_id) == Scenario.C.value:
            flags.append(STOP_FLAG)
        if hosting.get(provider_id) not in HOSTED:
            flags.append(NOT_HOSTED_FLAG)
        notes[provider_id] = AssuranceNote(statuses[provider_id], tuple(flags))
    return notes
