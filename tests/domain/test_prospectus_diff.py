from marketplace.domain.prospectus_diff import diff_snapshots


def snap(vision="v", **offers):
    return {"content": {"vision": vision, "geography": "g"}, "offers": offers}


def test_offers_are_matched_by_lineage_not_title():
    old = snap(a={"title": "BI", "price": "£1.00"}, b={"title": "Legal", "price": "£9"})
    new = snap("v2", a={"title": "Business intelligence", "price": "£1.00"},
               c={"title": "HR", "price": "£0.50"})
    diff = diff_snapshots(old, new)
    assert [(c.field, c.old, c.new) for c in diff.content] == [("vision", "v", "v2")]
    assert {(c.kind, c.title) for c in diff.offers} == {
        ("changed", "Business intelligence"), ("removed", "Legal"), ("added", "HR")}
    changed = next(c for c in diff.offers if c.kind == "changed")
    assert [c.field for c in changed.changes] == ["title"]


def test_identical_snapshots_have_no_differences():
    one = snap(a={"title": "BI"})
    diff = diff_snapshots(one, one)
    assert diff.is_empty and diff.unchanged_offers == 1
