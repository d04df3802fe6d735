import datetime as dt
import itertools

import pytest

from marketplace.domain.checkpoints import (
    CHECKPOINT2_DOMAINS,
    CHECKPOINT3_TESTS,
    RATING_SCALES,
    RULES,
    TIMELINE_2012,
    CheckpointError,
    DomainRating,
    FeedbackRating,
    GatewayRating,
    HostingDecision,
    HostingPolicy,
    HostingRecommendation,
    Scenario,
    checkpoint1_outcome,
    checkpoint2_scenario,
    checkpoint3_recommendation,
    checkpoint3_rule,
    compute_outcome,
    gateway_overall,
    overdue_milestones,
    scale_choices,
)

G, AG, A, AR, R = (
    GatewayRating.GREEN,
    GatewayRating.AMBER_GREEN,
    GatewayRating.AMBER,
    GatewayRating.AMBER_RED,
    GatewayRating.RED,
)


# --- Scales ---------------------------------------------------------------------------


@pytest.mark.parametrize("scale", RATING_SCALES.values())
def test_every_rating_has_words_and_a_colour(scale):
    for value in scale:
        assert value.label and value.label != value.colour
        assert value.colour


def test_gateway_scale_is_the_five_point_scale_in_order():
    assert [value.label for value in GatewayRating] == [
        "Green",
        "Amber/Green",
        "Amber",
        "Amber/Red",
        "Red",
    ]
    assert [value.value for value in GatewayRating] == [
        "green",
        "amber_green",
        "amber",
        "amber_red",
        "red",
    ]


def test_scale_choices_for_forms():
    assert scale_choices("domain") == [
        ("good_progress", "Good progress"),
        ("marginal", "Marginal"),
        ("failed", "Failed"),
    ]
    with pytest.raises(CheckpointError):
        scale_choices("traffic_lights")


# --- Checkpoint 2 ---------------------------------------------------------------------


def expected_scenario(ratings):
    # Counted independently of the implementation, straight from domain.md.
    failed = list(ratings.values()).count("failed")
    good = list(ratings.values()).count("good_progress")
    if good == 3:
        return "A"
    if failed >= 2:
        return "C"
    return "B"


ALL_COMBINATIONS = [
    dict(zip(CHECKPOINT2_DOMAINS, combo, strict=True))
    for combo in itertools.product([r.value for r in DomainRating], repeat=3)
]


def test_there_are_27_combinations():
    assert len(ALL_COMBINATIONS) == 27


@pytest.mark.parametrize("ratings", ALL_COMBINATIONS, ids=lambda r: "-".join(r.values()))
def test_checkpoint2_scenario_for_every_combination(ratings):
    assert checkpoint2_scenario(ratings) == expected_scenario(ratings)


@pytest.mark.parametrize(
    "leadership, business_plan, focus, scenario",
    [
        ("good_progress", "good_progress", "good_progress", Scenario.A),
        ("good_progress", "marginal", "good_progress", Scenario.B),
        ("marginal", "marginal", "marginal", Scenario.B),
        # The open case in the published rule: one failed domain is B, not C.
        ("failed", "good_progress", "good_progress", Scenario.B),
        ("failed", "marginal", "failed", Scenario.C),
        ("failed", "failed", "failed", Scenario.C),
    ],
)
def test_checkpoint2_worked_cases(leadership, business_plan, focus, scenario):
    ratings = {
        "leadership": leadership,
        "business_plan": business_plan,
        "ccg_customer_focus": focus,
    }
    assert checkpoint2_scenario(ratings) is scenario


def test_scenario_labels():
    assert Scenario.A.label == "Proceed"
    assert Scenario.B.label == "Proceed with issues needing rapid management"
    assert Scenario.C.label == "Stop"


def test_checkpoint2_accepts_enum_members():
    ratings = dict.fromkeys(CHECKPOINT2_DOMAINS, DomainRating.GOOD_PROGRESS)
    assert checkpoint2_scenario(ratings) is Scenario.A


def test_checkpoint2_missing_domain_is_an_error():
    with pytest.raises(CheckpointError, match="ccg_customer_focus"):
        checkpoint2_scenario({"leadership": "good_progress", "business_plan": "good_progress"})


def test_checkpoint2_unknown_rating_is_an_error():
    ratings = dict.fromkeys(CHECKPOINT2_DOMAINS, "good_progress") | {"leadership": "amber"}
    with pytest.raises(CheckpointError, match="leadership"):
        checkpoint2_scenario(ratings)


def test_checkpoint2_unknown_domain_is_an_error():
    ratings = dict.fromkeys(CHECKPOINT2_DOMAINS, "good_progress") | {"finance": "failed"}
    with pytest.raises(CheckpointError, match="finance"):
        checkpoint2_scenario(ratings)


# --- Checkpoint 3 ---------------------------------------------------------------------


def cp3(*ratings):
    return dict(zip(CHECKPOINT3_TESTS, ratings, strict=True))


@pytest.mark.parametrize(
    "ratings, recommendation",
    [
        (cp3(G, G, G, G), HostingRecommendation.HOST),
        (cp3(G, AG, AG, G), HostingRecommendation.HOST),
        (cp3(G, AG, A, G), HostingRecommendation.HOST_WITH_CONDITIONS),
        (cp3(A, A, A, A), HostingRecommendation.HOST_WITH_CONDITIONS),
        (cp3(G, G, AR, A), HostingRecommendation.HOST_WITH_CONDITIONS),
        (cp3(G, G, AR, AR), HostingRecommendation.DO_NOT_HOST),
        (cp3(G, G, G, R), HostingRecommendation.DO_NOT_HOST),
    ],
)
def test_checkpoint3_default_rule(ratings, recommendation):
    assert checkpoint3_recommendation(ratings) is recommendation


def test_checkpoint3_policy_can_be_changed():
    strict = HostingPolicy(
        host_if_all_at_least=G, do_not_host_if_any_at=AR, do_not_host_if_amber_red_count=1
    )
    assert (
        checkpoint3_recommendation(cp3(G, AG, G, G), strict)
        is HostingRecommendation.HOST_WITH_CONDITIONS
    )
    assert checkpoint3_recommendation(cp3(G, G, G, AR), strict) is HostingRecommendation.DO_NOT_HOST
    rules = dict(RULES) | {"cp3_hosting": checkpoint3_rule(strict)}
    assert compute_outcome("cp3_hosting", cp3(G, AG, G, G), rules).code == "host_with_conditions"
    assert compute_outcome("cp3_hosting", cp3(G, AG, G, G)).code == "host"


def test_checkpoint3_needs_all_four_tests():
    with pytest.raises(CheckpointError, match="delivery"):
        checkpoint3_recommendation({"leadership": G, "customer": G, "business": G})


def test_merge_names_the_css():
    decision = HostingDecision(HostingRecommendation.MERGE, merge_with="CSS South")
    assert decision.merge_with == "CSS South"
    with pytest.raises(CheckpointError):
        HostingDecision(HostingRecommendation.MERGE)
    with pytest.raises(CheckpointError):
        HostingDecision(HostingRecommendation.MERGE, merge_with="  ")
    with pytest.raises(CheckpointError):
        HostingDecision(HostingRecommendation.HOST, merge_with="CSS South")


# --- Checkpoint 1 and overall confidence ----------------------------------------------


def test_checkpoint1_lists_criteria_needing_development():
    outcome = checkpoint1_outcome(
        {
            "responsiveness_to_ccg_needs": "strong",
            "running_a_support_service": "needs_development",
            "estates": "adequate",
        }
    )
    assert outcome.code == "feedback"
    assert outcome.development_needs == ("running_a_support_service",)
    assert "1 of 3" in outcome.explanation


def test_checkpoint1_with_nothing_to_develop():
    outcome = checkpoint1_outcome({"responsiveness_to_ccg_needs": FeedbackRating.STRONG})
    assert outcome.development_needs == ()


def test_checkpoint1_needs_some_ratings():
    with pytest.raises(CheckpointError):
        checkpoint1_outcome({})


def test_gateway_overall_is_the_weakest_area():
    assert gateway_overall({"finance": G, "people": A, "estates": AG}) is A
    assert gateway_overall({"finance": G}) is G


# --- Registry -------------------------------------------------------------------------


def test_registry_holds_the_four_rules():
    assert set(RULES) == {"cp1_feedback", "cp2_scenario", "cp3_hosting", "gateway_overall"}
    for key, rule in RULES.items():
        assert rule.key == key
        assert rule.scale in RATING_SCALES


def test_compute_outcome_for_checkpoint2():
    ratings = {
        "leadership": "good_progress",
        "business_plan": "marginal",
        "ccg_customer_focus": "good_progress",
    }
    outcome = compute_outcome("cp2_scenario", ratings)
    assert outcome.code == "B"
    assert outcome.label == "Scenario B: Proceed with issues needing rapid management"
    assert outcome.development_needs == ("business_plan",)


def test_compute_outcome_for_other_rules():
    assert compute_outcome("cp3_hosting", cp3(G, G, G, R)).code == "do_not_host"
    assert compute_outcome("gateway_overall", {"a": G, "b": AR}).label == "Amber/Red"
    assert compute_outcome("cp1_feedback", {"a": "needs_development"}).development_needs == ("a",)


def test_checkpoint4_can_reuse_a_rule_by_key():
    # A Checkpoint 4 row stores "cp3_hosting" and gets the same rule.
    assert compute_outcome("cp3_hosting", cp3(G, G, G, G)).code == "host"


def test_unknown_rule_is_an_error():
    with pytest.raises(CheckpointError, match="cp9"):
        compute_outcome("cp9", {})


# --- Timeline -------------------------------------------------------------------------


def test_timeline_is_in_date_order_with_unique_keys():
    dates = [milestone.due for milestone in TIMELINE_2012]
    assert dates == sorted(dates)
    assert len({milestone.key for milestone in TIMELINE_2012}) == len(TIMELINE_2012)


def test_checkpoint3_submission_date():
    by_key = {milestone.key: milestone for milestone in TIMELINE_2012}
    assert by_key["cp3_full_business_plan"].due == dt.date(2012, 8, 31)
    assert by_key["hosted_by_board"].due == dt.date(2013, 4, 1)


def test_overdue_milestones():
    overdue = overdue_milestones(
        dt.date(2012, 6, 1), completed_keys={"cp1_prospectus_review", "draft_slas_signed"}
    )
    assert [m.key for m in overdue] == ["cp2_outline_business_plan"]


def test_nothing_is_overdue_on_its_due_date():
    assert overdue_milestones(dt.date(2012, 1, 31), completed_keys=()) == []


def test_everything_overdue_after_the_timeline():
    assert len(overdue_milestones(dt.date(2014, 1, 1), completed_keys=())) == len(TIMELINE_2012)


def test_unknown_completed_key_is_an_error():
    with pytest.raises(CheckpointError, match="cp_one"):
        overdue_milestones(dt.date(2012, 6, 1), completed_keys={"cp_one"})


@pytest.mark.parametrize(("status", "colour"), [
    ("A", "green"), ("B", "yellow"), ("C", "red"),
    ("checkpoint-2-a", "green"), ("checkpoint-2-b", "yellow"), ("checkpoint-2-c", "red"),
    ("Checkpoint 2: Scenario A: Proceed", "green"),
    ("Checkpoint 2: Scenario B: Proceed with issues needing rapid management", "yellow"),
    ("Checkpoint 2: Scenario C: Stop", "red"),
    ("Checkpoint 2: Scenario C: Stop. Flagged: Checkpoint 2 outcome was scenario C: Stop.",
     "red"),
    ("checkpoint-3-host-with-conditions", "yellow"), ("Checkpoint 3: Do not host", "red"),
    ("Checkpoint 1: Feedback and development needs", "blue"),
    ("Not yet assessed", "grey"), ("not_assessed", "grey"), (None, "grey"), ("", "grey"),
    ("Scenario D: made up", "grey"),
])
def test_assurance_outcomes_have_a_colour_that_repeats_their_words(status, colour):
    from marketplace.domain.checkpoints import assurance_colour

    assert assurance_colour(status) == colour


def test_scenarios_a_b_and_c_never_share_a_colour():
    from marketplace.domain.checkpoints import assurance_colour

    assert len({assurance_colour(code) for code in "ABC"}) == 3
