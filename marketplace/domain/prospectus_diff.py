"""What changed between two prospectus versions: content fields, and offers matched by lineage.

Works on plain snapshots (dicts of display strings), so it knows nothing of the database:
    {"content": {field: text}, "offers": {lineage: {"title": ..., field: text}}}
"""

from __future__ import annotations

from dataclasses import dataclass, field

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class OfferChange:
    lineage: str
    title: str
    kind: str  # added / removed / changed
    changes: list[FieldChange] = field(default_factory=list)
    old: dict | None = None
    new: dict | None = None


@dataclass
class ProspectusDiff:
    content: list[FieldChange]
    offers: list[OfferChange]
    unchanged_offers: int

    @property
    def is_empty(self) -> bool:
        return not self.content and not self.offers


def _field_changes(old: dict, new: dict) -> list[FieldChange]:
    names = list(old) + [name for name in new if name not in old]
    return [
        FieldChange(name, old.get(name, ""), new.get(name, ""))
        for name in names
        if old.get(name, "") != new.get(name, "")
    ]


def diff_snapshots(old: dict, new: dict) -> ProspectusDiff:
    content = _field_changes(old["content"], new["content"])
    offers: list[OfferChange] = []
    unchanged = 0
    old_offers, new_offers = old["offers"], new["offers"]
    for lineage, before in old_offers.items():
        after = new_offers.get(lineage)
        if after is None:
            offers.append(OfferChange(lineage, before["title"], REMOVED, old=before))
            continue
        changes = _field_changes(before, after)
        if changes:
            offers.append(OfferChange(lineage, after["title"], CHANGED, changes, before, after))
        else:
            unchanged += 1
    for lineage, after in new_offers.items():
        if lineage not in old_offers:
            offers.append(OfferChange(lineage, after["title"], ADDED, new=after))
    return ProspectusDiff(content, offers, unchanged)
