"""The options cities count with (equalshares.net's names), set on the ballot settings page: each
offered with a sentence in the reader's language, saved and shown again, an invalid combination
refused under its field with nothing stored, and locked once voting opens."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import BallotConfig

from .test_voting import EN, start

# As a browser posts the form: every field, the options of equal shares at their defaults.
BASE = {"ballot_type": "approval", "min_projects": 1, "max_projects": 3, "rule": "mes", "tie_break": "id",
        "tie_break_2": "", "tie_break_3": "", "min_votes": 1, "min_age": 16, "completion": "add1-greedy",
        "stop": "exhaustive", "increment": 1, "comparison": "none"}
CITY = {**BASE, "completion": "add1u", "integral": "y", "stop": "over-budget", "increment": 5,
        "comparison": "satisfaction", "tie_break": "maxVotes", "tie_break_2": "minCost", "tie_break_3": "id"}


def speak(user, language: str) -> None:
    """A logged-in person reads pages in the language of their profile."""
    user.locale = language
    db.session.commit()


def post(client, budget, data, headers=EN):
    return client.post(f"/budgets/{budget.id}/ballot-config", data=data, headers=headers, follow_redirects=True)


def error_under(page: str, field: str) -> str:
    """The error shown under one field ('' when there is none)."""
    found = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


def test_every_city_option_is_offered_with_its_name_and_a_sentence(client, users, ballot, log_in):
    budget, _ = ballot
    log_in(users["akimat"])
    page = client.get(f"/budgets/{budget.id}/ballot-config", headers=EN).get_data(as_text=True)
    for name in ("add1-greedy", "add1", "Add1u", "greedy", "utilitarian", "none", "integral", "exhaustive",
                 "over-budget", "increment", "satisfaction", "exclusionRatio", "maxVotes", "minCost", "maxCost"):
        assert f"({name})" in page, name
    assert "Comparison step" in page and "more voters prefer" in page
    speak(users["akimat"], "kk")
    kazakh = client.get(f"/budgets/{budget.id}/ballot-config").get_data(as_text=True)
    assert "(exclusionRatio)" in kazakh and "Comparison step" not in kazakh and "Салыстыру қадамы" in kazakh


def test_city_options_are_saved_and_shown_again(client, users, ballot, log_in):
    budget, _ = ballot
    log_in(users["akimat"])
    page = post(client, budget, CITY).get_data(as_text=True)
    assert "settings are saved" in page
    db.session.expire_all()
    config = db.session.get(BallotConfig, budget.id)
    assert config.rule_options == {"completion": "add1u", "integral": True, "stop": "over-budget", "increment": 5,
                                   "comparison": "satisfaction"}
    assert config.tie_break == "maxVotes,minCost,id"
    assert '<option selected value="add1u">' in page and '<option selected value="over-budget">' in page
    assert re.search(r'id="tie_break_2"[^>]*>(?:(?!</select>).)*<option selected value="minCost">', page, re.S)
    # Another rule keeps no option of equal shares; a lottery keeps its seed.
    post(client, budget, {**BASE, "rule": "greedy", "tie_break": "maxVotes", "tie_break_2": "lottery"})
    db.session.expire_all()
    config = db.session.get(BallotConfig, budget.id)
    assert (config.rule, config.rule_options, config.tie_break) == ("greedy", {"seed": budget.id}, "maxVotes,lottery")


@pytest.mark.parametrize("change, field, message", [
    ({"rule": "greedy", "comparison": "satisfaction"}, "comparison", "belongs to the Method of Equal Shares"),
    ({"rule": "phragmen", "completion": "add1u"}, "completion", "belongs to the Method of Equal Shares"),
    ({"completion": "greedy", "integral": "y"}, "integral", "only to the Add1 completions"),
    ({"completion": "none", "stop": "over-budget"}, "stop", "only to the Add1 completions"),
    ({"completion": "utilitarian", "increment": 2}, "increment", "only to the Add1 completions"),
    ({"completion": "add1", "increment": 10**8 + 1}, "increment", "larger than the budget"),
    ({"tie_break": "maxVotes", "tie_break_3": "minCost"}, "tie_break_3", "before this one first"),
    ({"tie_break": "maxVotes", "tie_break_2": "votes"}, "tie_break_2", "already in the chain"),
    ({"tie_break": "minCost", "tie_break_2": "maxCost"}, "tie_break_2", "cannot both decide"),
    ({"tie_break": "id", "tie_break_2": "minCost"}, "tie_break_2", "decides every tie"),
])
def test_an_invalid_combination_is_refused_under_its_field_and_nothing_is_stored(client, users, ballot, log_in,
                                                                                  change, field, message):
    budget, _ = ballot
    log_in(users["akimat"])
    page = post(client, budget, {**BASE, **change}).get_data(as_text=True)
    assert message in error_under(page, field)
    assert "settings are saved" not in page
    db.session.expire_all()
    assert db.session.get(BallotConfig, budget.id) is None


def test_an_invalid_combination_is_explained_in_russian(client, users, ballot, log_in):
    budget, _ = ballot
    log_in(users["akimat"])
    speak(users["akimat"], "ru")
    page = post(client, budget, {**BASE, "rule": "greedy", "comparison": "satisfaction"}).get_data(as_text=True)
    assert "относится к Методу равных долей" in error_under(page, "comparison")


def test_count_options_are_locked_once_voting_opens(client, users, ballot, log_in):
    budget, _ = ballot
    start(budget)
    log_in(users["akimat"])
    assert "locked" in post(client, budget, CITY).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(BallotConfig, budget.id) is None
    page = client.get(f"/budgets/{budget.id}/ballot-config", headers=EN).get_data(as_text=True)
    assert page.count("<fieldset disabled") >= 2


def test_the_database_refuses_to_change_count_options_after_voting_opens(ballot):
    budget, _ = ballot
    db.session.add(BallotConfig(budget_id=budget.id, ballot_type="approval", rule="mes", rule_options={},
                                tie_break="id"))
    db.session.commit()
    start(budget)
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(BallotConfig).where(BallotConfig.budget_id == budget.id)
                           .values(rule_options={"comparison": "satisfaction"}))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(BallotConfig, budget.id).rule_options == {}
