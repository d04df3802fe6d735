"""A closed competition with three submitted responses, scored and moderated to order.

Criteria 35 (Approach) / 25 (Team) / 40 (Price); the lead user and the partner user evaluate.
Annual costs (fixed annual prices): GEM £230,000, Arden £250,000, Meridian £460,000. With the
agreed scores below the ranking is Arden 84.80, Meridian 80.00, GEM 76.00:

    Arden     4, 4: 28 + 20 = 48 quality; 230,000 / 250,000 × 40 = 36.8 price
    Meridian  5, 5: 35 + 25 = 60 quality; 230,000 / 460,000 × 40 = 20 price
    GEM       3, 3: 21 + 15 = 36 quality; 40 price
"""

from datetime import timedelta

from marketplace.services import bids, evaluation, procurements
from marketplace.services.bids import LineInput
from marketplace.services.evaluation import ScoreInput

from ..factories import published_competition

PRICES = {"arden_user": ("170000", "80000"), "gem_user": ("150000", "80000"),
          "meridian_user": ("300000", "160000")}
AGREED = {"arden_user": 4, "meridian_user": 5, "gem_user": 3}


def respond(b, procurement, who):
    actor = getattr(b, who)
    bid = bids.start_response(actor, procurement)
    bi, cm = PRICES[who]
    lines = []
    for guide in bids.line_guides(procurement):
        price = bi if guide.specification.code == "BI-01" else cm
        lines.append(LineInput(guide.specification.id, "fixed_annual", price, None))
    bids.save_response(actor, bid, bid.lock_version, summary=f"From {who}", lines=lines,
                       answers={c.id: "We will do it well." for c in
                                bids.quality_criteria(procurement)})
    return bids.submit(actor, bid, bid.lock_version)


def closed_competition(b, clock):
    """Published, three responses submitted, closed; the clock the next morning."""
    procurement = published_competition(b)
    found = {who: respond(b, procurement, who) for who in PRICES}
    clock.set(procurement.closes_at + timedelta(hours=16))  # Tuesday 22 January, 09:00
    procurements.refresh_status(procurement)
    assert procurement.status == "evaluation"
    return procurement, found


def inputs(procurement, score, reason="Meets the need."):
    return [ScoreInput(c.id, str(score), reason)
            for c in evaluation.quality_criteria(procurement)]


def score_all(b, procurement, found, evaluator, *, submit=True):
    for who, bid in found.items():
        evaluation.save_scores(evaluator, procurement, bid,
                               inputs(procurement, AGREED[who], f"{evaluator.full_name}'s view"))
    if submit:
        evaluation.submit_scores(evaluator, procurement)


def moderated_competition(b, clock):
    procurement, found = closed_competition(b, clock)
    score_all(b, procurement, found, b.lead_user)
    score_all(b, procurement, found, b.partner_user)
    for who, bid in found.items():
        evaluation.moderate(b.lead_user, procurement, bid, bid.lock_version,
                            inputs(procurement, AGREED[who], "Agreed at moderation."))
    return procurement, found
