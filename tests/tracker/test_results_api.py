from collections import Counter

import pytest

from marketplace.api.openapi import openapi_document
from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.extensions import db


@pytest.fixture
def seeded(app_context):
    seed_checkpoints()
    seed_assurance()
    db.session.commit()


def test_checkpoint_2_results_carry_the_scenario_letter(seeded, bdu_client):
    response = bdu_client.get("/api/v1/checkpoints/2/results")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) == 26
    assert Counter(r["scenario"] for r in results) == {"A": 14, "B": 9, "C": 3}
    arden = next(r for r in results if r["organisation"] == "Arden CSS")
    assert arden["status"] == "signed_off" and arden["outcome_label"] == "Scenario A: Proceed"


def test_checkpoint_3_results_show_reviews_in_progress(seeded, admin_client):
    results = admin_client.get("/api/v1/checkpoints/3/results").get_json()["results"]
    statuses = Counter(r["status"] for r in results)
    assert statuses["in_review"] == 5 and "scenario" not in results[0]


@pytest.mark.parametrize("email", ["css@demo.test", "ccg@demo.test", "peer@demo.test"])
def test_only_bdu_and_admins(sign_in, email):
    response = sign_in(email).get("/api/v1/checkpoints/2/results")
    assert response.status_code == 403
    assert response.get_json()["errors"]


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/checkpoints/2/results").status_code == 401


def test_unknown_checkpoint_is_404_naming_the_field(bdu_client):
    response = bdu_client.get("/api/v1/checkpoints/9/results")
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["field"] == "number"


def test_the_openapi_document_describes_the_results():
    document = openapi_document()
    operation = document["paths"]["/checkpoints/{number}/results"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    assert "scenario" in document["components"]["schemas"]["CheckpointResult"]["properties"]
