"""Assurance checkpoint rules: rating scales, outcome rules, and the 2012 timeline.

Each rule lives here once. A Checkpoint row in the database names its rule by key
(see RULES), so the BDU can add checkpoints 4 and 5 that reuse a rule, and a change
to a rule is a change in one function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class CheckpointError(ValueError):
    """Ratings or keys that no checkpoint rule can work with."""


class _ScaleValue(StrEnum):
    # Every value carries words and a tag colour: a rating is never shown by colour alone.
    # Members are declared best first, so list order is the scale's order.
    label: str
    colour: str

    def __new__(cls, value: str, label: str, colour: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.colour = colour
        return member


class FeedbackRating(_ScaleValue):
    # Checkpoint 1 criteria were never published; this scale only has to separate
    # "fine" from "needs development" for the feedback letter.
    STRONG = "strong", "Strong", "green"
    ADEQUATE = "adequate", "Adequate", "blue"
    NEEDS_DEVELOPMENT = "needs_development", "Needs development", "orange"


class DomainRating(_ScaleValue):
    GOOD_PROGRESS = "good_progress", "Good progress", "green"
    MARGINAL = "marginal", "Marginal", "yellow"
    FAILED = "failed", "Failed", "red"


class GatewayRating(_ScaleValue):
    GREEN = "green", "Green", "green"
    AMBER_GREEN = "amber_green", "Amber/Green", "aqua-green"
    AMBER = "amber", "Amber", "yellow"
    AMBER_RED = "amber_red", "Amber/Red", "orange"
    RED = "red", "Red", "red"


class Scenario(_ScaleValue):
    A = "A", "Proceed", "green"
    B = "B", "Proceed with issues needing rapid management", "yellow"
    C = "C", "Stop", "red"


class HostingRecommendation(_ScaleValue):
    HOST = "host", "Host", "green"
    HOST_WITH_CONDITIONS = "host_with_conditions", "Host with conditions", "yellow"
    DO_NOT_HOST = "do_not_host", "Do not host", "red"
    MERGE = "merge", "Merge with another CSS", "purple"


Rating = FeedbackRating | DomainRating | GatewayRating

FEEDBACK_OUTCOME = "feedback", "Feedback and development needs", "blue"


def _outcome_colours() -> tuple[dict[str, str], dict[str, str]]:
    """(colour by outcome code in lower case, colour by outcome label) for every outcome
    a checkpoint rule gives: Checkpoint 1's feedback, 2's scenarios A, B and C, 3's hosting
    recommendations and the overall delivery confidence."""
    by_code = {FEEDBACK_OUTCOME[0]: FEEDBACK_OUTCOME[2]}
    by_label = {FEEDBACK_OUTCOME[1]: FEEDBACK_OUTCOME[2]}
    for scale in (GatewayRating, HostingRecommendation, Scenario):
        for member in scale:
            by_code[member.value.lower()] = member.colour
            words = f"Scenario {member.value}: {member.label}" if scale is Scenario else (
                member.label)
            by_label[words] = member.colour
    return by_code, by_label


_OUTCOME_COLOURS = _outcome_colours()


def assurance_colour(status: str | None) -> str:
    """The tag colour for an assurance outcome given as its code ("B"), its status key
    ("checkpoint-2-b") or its words ("Checkpoint 2: Scenario B: Proceed with ..."):
    green, yellow and red for scenarios A, B and C; grey for anything not known. The words
    always go with it: the colour only repeats them."""
    if not status:
        return "grey"
    by_code, by_label = _OUTCOME_COLOURS
    text = status.strip()
    if text.startswith("checkpoint-"):  # a status key: checkpoint-<n>-<code>
        text = text.split("-", 2)[-1].replace("-", "_")
    if text.lower() in by_code:
        return by_code[text.lower()]
    if text.startswith("Checkpoint ") and ": " in text:
        text = text.split(": ", 1)[1]
    return by_label.get(text.split(". Flagged:")[0].rstrip("."), "grey")

RATING_SCALES: Mapping[str, type[_ScaleValue]] = MappingProxyType(
    {"feedback": FeedbackRating, "domain": DomainRating, "gateway": GatewayRating}
)


def scale_choices(scale_key: str) -> list[tuple[str, str]]:
    """(value, label) pairs in scale order, ready for a radio group."""
    try:
        scale = RATING_SCALES[scale_key]
    except KeyError:
        raise CheckpointError(f"unknown rating scale {scale_key!r}") from None
    return [(member.value, member.label) for member in scale]


def gateway_rank(rating: GatewayRating) -> int:
    """0 for Green up to 4 for Red."""
    return list(GatewayRating).index(rating)


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    explanation: str
    # Criteria the organisation must work on; the development plan is built from these.
    development_needs: tuple[str, ...] = ()


def _read_ratings(
    ratings: Mapping[str, Rating | str],
    scale: type[_ScaleValue],
    criteria: Collection[str] | None,
) -> dict[str, _ScaleValue]:
    """Check the criteria are exactly those expected and coerce stored strings to the scale."""
    if criteria is not None:
        missing = [key for key in criteria if key not in ratings]
        if missing:
            raise CheckpointError(f"missing rating for {', '.join(missing)}")
        extra = sorted(set(ratings) - set(criteria))
        if extra:
            raise CheckpointError(f"unknown criterion {', '.join(extra)}")
    elif not ratings:
        raise CheckpointError("no ratings given")
    read = {}
    for key, value in ratings.items():
        try:
            read[key] = scale(value)
        except ValueError:
            raise CheckpointError(
                f"{value!r} is not a rating on this scale (criterion {key!r})"
            ) from None
    return read


# --- Checkpoint 1: prospectus peer review ----------------------------------------------

# The SHA cluster peer review criteria were not published; these defaults follow the two
# published themes and the Checkpoint 1 rule accepts any criterion keys an admin sets up.
CHECKPOINT1_CRITERIA = ("responsiveness_to_ccg_needs", "running_a_support_service")


def checkpoint1_outcome(ratings: Mapping[str, FeedbackRating | str]) -> Outcome:
    read = _read_ratings(ratings, FeedbackRating, None)
    needs = tuple(key for key, value in read.items() if value is FeedbackRating.NEEDS_DEVELOPMENT)
    explanation = (
        f"{len(needs)} of {len(read)} criteria need development."
        if needs
        else "No criteria need development."
    )
    return Outcome("feedback", "Feedback and development needs", explanation, needs)


# --- Checkpoint 2: outline business plan -------------------------------------------------

CHECKPOINT2_DOMAINS = ("leadership", "business_plan", "ccg_customer_focus")


def checkpoint2_scenario(ratings: Mapping[str, DomainRating | str]) -> Scenario:
    # The published rule leaves a single failed domain open; we read it as B, because
    # "stop" was reserved for failing two or three domains.
    read = _read_ratings(ratings, DomainRating, CHECKPOINT2_DOMAINS)
    failed = sum(value is DomainRating.FAILED for value in read.values())
    if failed >= 2:
        return Scenario.C
    if all(value is DomainRating.GOOD_PROGRESS for value in read.values()):
        return Scenario.A
    return Scenario.B


def _checkpoint2_outcome(ratings: Mapping[str, DomainRating | str]) -> Outcome:
    scenario = checkpoint2_scenario(ratings)
    read = _read_ratings(ratings, DomainRating, CHECKPOINT2_DOMAINS)
    needs = tuple(key for key, value in read.items() if value is not DomainRating.GOOD_PROGRESS)
    explanation = {
        Scenario.A: "Good progress in all three domains.",
        Scenario.B: "One or more domains passed only marginally, or one domain failed.",
        Scenario.C: "Two or three domains failed.",
    }[scenario]
    return Outcome(
        scenario.value, f"Scenario {scenario.value}: {scenario.label}", explanation, needs
    )


# --- Checkpoint 3: full business plan ----------------------------------------------------

CHECKPOINT3_TESTS = ("leadership", "customer", "business", "delivery")


@dataclass(frozen=True)
class HostingPolicy:
    """Thresholds for the default Checkpoint 3 rule.

    No hosting rule for Checkpoint 3 was published: the Board decided case by case. This
    default is our own reading, kept as data so the BDU can change it without code, and a
    reviewer can always record a different recommendation (including merge) by hand.
    """

    # Every test at this rating or better: host without conditions.
    host_if_all_at_least: GatewayRating = GatewayRating.AMBER_GREEN
    # Any test at this rating or worse: do not host.
    do_not_host_if_any_at: GatewayRating = GatewayRating.RED
    # This many tests at Amber/Red or worse: do not host.
    do_not_host_if_amber_red_count: int = 2


DEFAULT_HOSTING_POLICY = HostingPolicy()


def checkpoint3_recommendation(
    ratings: Mapping[str, GatewayRating | str], policy: HostingPolicy = DEFAULT_HOSTING_POLICY
) -> HostingRecommendation:
    # Merge is never computed: choosing a partner CSS is a judgement, see HostingDecision.
    read = _read_ratings(ratings, GatewayRating, CHECKPOINT3_TESTS)
    ranks = [gateway_rank(value) for value in read.values()]
    amber_red_or_worse = sum(rank >= gateway_rank(GatewayRating.AMBER_RED) for rank in ranks)
    if max(ranks) >= gateway_rank(policy.do_not_host_if_any_at) or (
        amber_red_or_worse >= policy.do_not_host_if_amber_red_count
    ):
        return HostingRecommendation.DO_NOT_HOST
    if max(ranks) <= gateway_rank(policy.host_if_all_at_least):
        return HostingRecommendation.HOST
    return HostingRecommendation.HOST_WITH_CONDITIONS


@dataclass(frozen=True)
class HostingDecision:
    recommendation: HostingRecommendation
    merge_with: str | None = None

    def __post_init__(self) -> None:
        if (
            self.recommendation is HostingRecommendation.MERGE
            and not (self.merge_with or "").strip()
        ):
            raise CheckpointError("a merge recommendation must name the CSS to merge with")
        if self.recommendation is not HostingRecommendation.MERGE and self.merge_with:
            raise CheckpointError("only a merge recommendation names another CSS")


def _checkpoint3_outcome(
    ratings: Mapping[str, GatewayRating | str], policy: HostingPolicy = DEFAULT_HOSTING_POLICY
) -> Outcome:
    recommendation = checkpoint3_recommendation(ratings, policy)
    read = _read_ratings(ratings, GatewayRating, CHECKPOINT3_TESTS)
    weakest = [
        key
        for key, value in read.items()
        if gateway_rank(value) >= gateway_rank(GatewayRating.AMBER)
    ]
    explanation = (
        "Ratings: " + ", ".join(f"{key} {value.label}" for key, value in read.items()) + "."
    )
    return Outcome(recommendation.value, recommendation.label, explanation, tuple(weakest))


# --- Overall delivery confidence --------------------------------------------------------


def gateway_overall(ratings: Mapping[str, GatewayRating | str]) -> GatewayRating:
    # Default: overall confidence is no better than the weakest area, because one failing
    # area can stop delivery. Reviewers may record their own overall judgement instead.
    read = _read_ratings(ratings, GatewayRating, None)
    return max(read.values(), key=gateway_rank)


def _gateway_overall_outcome(ratings: Mapping[str, GatewayRating | str]) -> Outcome:
    overall = gateway_overall(ratings)
    weakest = tuple(
        key
        for key, value in _read_ratings(ratings, GatewayRating, None).items()
        if value is overall
    )
    explanation = f"Overall confidence is set by the weakest area: {', '.join(weakest)}."
    needs = weakest if overall is not GatewayRating.GREEN else ()
    return Outcome(overall.value, overall.label, explanation, needs)


# --- Rule registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    key: str
    name: str
    scale: str  # key into RATING_SCALES
    # None means the rule accepts whatever criteria the checkpoint defines.
    criteria: tuple[str, ...] | None
    evaluate: Callable[[Mapping[str, Rating | str]], Outcome] = field(repr=False)


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.key: rule
        for rule in (
            Rule("cp1_feedback", "Checkpoint 1 feedback", "feedback", None, checkpoint1_outcome),
            Rule(
                "cp2_scenario",
                "Checkpoint 2 scenario A/B/C",
                "domain",
                CHECKPOINT2_DOMAINS,
                _checkpoint2_outcome,
            ),
            Rule(
                "cp3_hosting",
                "Checkpoint 3 hosting recommendation",
                "gateway",
                CHECKPOINT3_TESTS,
                _checkpoint3_outcome,
            ),
            Rule(
                "gateway_overall",
                "Overall delivery confidence",
                "gateway",
                None,
                _gateway_overall_outcome,
            ),
        )
    }
)


def checkpoint3_rule(policy: HostingPolicy, key: str = "cp3_hosting") -> Rule:
    """A hosting rule with other thresholds, to put in a registry passed to compute_outcome."""
    return Rule(
        key,
        "Checkpoint 3 hosting recommendation",
        "gateway",
        CHECKPOINT3_TESTS,
        lambda ratings: _checkpoint3_outcome(ratings, policy),
    )


def compute_outcome(
    rule_key: str, ratings: Mapping[str, Rating | str], rules: Mapping[str, Rule] = RULES
) -> Outcome:
    try:
        rule = rules[rule_key]
    except KeyError:
        raise CheckpointError(f"unknown checkpoint rule {rule_key!r}") from None
    return rule.evaluate(ratings)


# --- The 2012 timeline ------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    # Sources give months only: deadlines fall on the month's last day, starts on its first.
    due: dt.date


TIMELINE_2012: tuple[Milestone, ...] = (
    Milestone(
        "cp1_prospectus_review", "Checkpoint 1: prospectus peer review", dt.date(2012, 1, 31)
    ),
    Milestone(
        "draft_slas_signed",
        "Draft service level agreements signed between CCGs and CSSs",
        dt.date(2012, 3, 31),
    ),
    Milestone(
        "cp2_outline_business_plan", "Checkpoint 2: outline business plan", dt.date(2012, 3, 31)
    ),
    Milestone(
        "css_leaders_identified", "CSS leaders identified by the NHS CBA", dt.date(2012, 7, 31)
    ),
    Milestone(
        "cp3_full_business_plan", "Checkpoint 3: full business plan submitted", dt.date(2012, 8, 31)
    ),
    Milestone("cp3_assurance_completed", "Checkpoint 3 assurance completed", dt.date(2012, 9, 30)),
    Milestone("staff_transfer_begins", "Staff transfer from PCTs begins", dt.date(2012, 10, 1)),
    Milestone("hosting_decisions", "Final hosting decisions", dt.date(2012, 10, 31)),
    Milestone("cp4", "Checkpoint 4", dt.date(2012, 11, 30)),
    Milestone(
        "slas_signed", "Service level agreements signed (at most 18 months)", dt.date(2012, 11, 30)
    ),
    Milestone("cp5", "Checkpoint 5", dt.date(2013, 1, 31)),
    Milestone("final_slas", "Final SLAs between CCGs and CSSs", dt.date(2013, 3, 31)),
    Milestone("hosted_by_board", "CCGs statutory; CSSs hosted by the Board", dt.date(2013, 4, 1)),
)


def overdue_milestones(
    today: dt.date,
    completed_keys: Collection[str],
    milestones: tuple[Milestone, ...] = TIMELINE_2012,
) -> list[Milestone]:
    """Milestones past their date and not completed, earliest first."""
    # An unknown key is almost always a typo that would hide a genuinely overdue milestone.
    unknown = sorted(set(completed_keys) - {milestone.key for milestone in milestones})
    if unknown:
        raise CheckpointError(f"unknown milestone {', '.join(unknown)}")
    overdue = [m for m in milestones if m.due < today and m.key not in completed_keys]
    return sorted(overdue, key=lambda m: m.due)
