"""A rule the form, the scenario service and the JSON API all apply says the same words."""

import pytest

from marketplace.services import scenarios as service
from marketplace.services.errors import ServiceError

from ..conftest import html, user
from ..factories import scenario_form, scenario_input


@pytest.mark.parametrize(("population", "message"), [
    (0, "Enter a population between 1 and 10,000,000"),
    (10_000_001, "Enter a population between 1 and 10,000,000"),
])
def test_a_population_out_of_range_is_refused_alike_everywhere(ccg_client, population,
                                                                message):
    page = html(ccg_client.post("/scenarios/new", data=scenario_form(population=population)))
    assert page.select_one("#population-error").text.strip().endswith(message)

    with pytest.raises(ServiceError) as refused:
        service.create_scenario(user("ccg@demo.test"), scenario_input(population=population))
    assert (refused.value.field, refused.value.message) == ("population", message)

    api = ccg_client.post("/api/v1/reckoner",
                          json={"population": population, "allowance_per_head": "20.00"})
    assert api.get_json()["errors"][0] == {"field": "population", "message": message}
