"""pabulib reading and writing: round trips, quoting, line endings, clear errors."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from pabulib_corpus import PABULIB_DIR, files

from voting import Instance, PabulibError, Profile, Project, parse_pabulib, read_pabulib, write_pabulib

SMALL = '''META
key;value
description;"Test; with a semicolon"
vote_type;cumulative
budget;1000.50
max_sum_points;5
PROJECTS
project_id;cost;name;category
a;500.25;"Park ""Green""";nature,sport
b;400;Bench;
c;1200;Too dear;
VOTES
voter_id;vote;points;age;sex
v1;a,b;3,2;34;F
v2;b;5;None;M
v3;;;;
'''


def assert_same(e1, e2, added=()):
    """Same election; the writer may only add the META keys in ``added``."""
    (i1, p1), (i2, p2) = e1, e2
    assert i1.projects == i2.projects
    assert i1.budget == i2.budget
    assert i1.meta == {k: v for k, v in i2.meta.items() if k in i1.meta or k not in added}
    assert p1.vote_type == p2.vote_type
    assert (p1.matrix != p2.matrix).nnz == 0
    assert np.array_equal(p1.matrix.indptr, p2.matrix.indptr)
    assert list(p1.voter_ids) == list(p2.voter_ids)
    assert p1.columns.keys() == p2.columns.keys()
    for k in p1.columns:
        assert list(p1.columns[k]) == list(p2.columns[k])


@pytest.mark.parametrize("name", files())
def test_every_shared_file_round_trips_losslessly(name):
    first = read_pabulib(PABULIB_DIR / name)
    second = parse_pabulib(write_pabulib(*first))
    assert_same(first, second)


def test_quoted_fields_decimal_costs_and_empty_votes_are_read_exactly():
    instance, profile = parse_pabulib(SMALL)
    assert instance.meta["description"] == "Test; with a semicolon"
    assert instance.budget == Fraction(2001, 2)
    assert instance.project("a").cost == Fraction("500.25")
    assert instance.project("a").name == 'Park "Green"'
    assert profile.ballot(0) == {0: 3.0, 1: 2.0}
    assert profile.ballot(2) == {}
    assert list(profile.columns["age"]) == ["34", "None", ""]
    assert_same((instance, profile), parse_pabulib(write_pabulib(instance, profile)),
                added=("num_projects", "num_votes"))


def test_windows_line_endings_and_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "crlf.pb"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode())
    assert_same(read_pabulib(path), parse_pabulib(SMALL))


def test_ordinal_ballots_keep_their_order_through_a_round_trip():
    text = SMALL.replace("cumulative", "ordinal").replace("v1;a,b;3,2;34;F", "v1;b,a;;34;F") \
        .replace("v2;b;5;None;M", "v2;c,a,b;;None;M")
    instance, profile = parse_pabulib(text)
    assert profile.ballot(0) == [1, 0]
    assert profile.ballot(1) == [2, 0, 1]
    again = parse_pabulib(write_pabulib(instance, profile))
    assert again[1].ballot(1) == [2, 0, 1]


@pytest.mark.parametrize("broken,line,words", [
    (SMALL.replace("v1;a,b;3,2;34;F", "v1;a,zz;3,2;34;F"), 14, "'zz'"),
    (SMALL.replace("v1;a,b;3,2;34;F", "v1;a,b;3;34;F"), 14, "2 projects but 1 points"),
    (SMALL.replace("v2;b;5;None;M", "v2;b;5;None"), 15, "expected 5 fields"),
    (SMALL.replace("b;400;Bench;", "b;four hundred;Bench;"), 10, "cost 'four hundred'"),
    (SMALL.replace("v1;a,b;3,2;34;F", "v1;a,a;3,2;34;F"), 14, "twice"),
    (SMALL.replace("budget;1000.50\n", ""), 1, "no budget"),
    (SMALL.replace("VOTES\n", ""), 0, "no VOTES section"),
])
def test_malformed_file_raises_one_error_type_naming_the_line(broken, line, words):
    with pytest.raises(PabulibError) as info:
        parse_pabulib(broken)
    assert info.value.line == line
    assert words in str(info.value)


def test_writer_sets_counts_and_quotes_fields_with_separators():
    instance, profile = parse_pabulib(SMALL)
    text = write_pabulib(instance, profile)
    assert '"Test; with a semicolon"' in text
    assert '"Park ""Green"""' in text
    assert "budget;1000.50\n" in text
    assert "num_votes;3\n" in text


def test_anonymized_export_drops_voter_ids_and_personal_columns():
    instance, profile = parse_pabulib(SMALL)
    text = write_pabulib(instance, profile.anonymized(keep_columns=["age"]))
    assert "v1" not in text and "sex" not in text
    again = parse_pabulib(text)[1]
    assert list(again.voter_ids) == ["1", "2", "3"] and list(again.columns) == ["age"]
    assert (again.matrix != profile.matrix).nnz == 0


def checker_errors(text: str) -> set:
    """pabulib's own checker (pabulib-checker) on a file's text: the error kinds it reports."""
    import contextlib
    import io

    from pabulib.checker import Checker
    with contextlib.redirect_stdout(io.StringIO()):
        report = Checker().process_files([text])
    [result] = [v for k, v in report.items() if k not in ("metadata", "summary")]
    return set(result["results"].get("errors", {}))


@pytest.mark.parametrize("name", files())
def test_every_shared_file_is_written_back_byte_for_byte_and_pabulibs_checker_agrees(name):
    pytest.importorskip("pabulib.checker")
    raw = (PABULIB_DIR / name).read_bytes()
    text = write_pabulib(*read_pabulib(PABULIB_DIR / name))
    assert text.encode() == raw.removeprefix(b"\xef\xbb\xbf")
    # what we write passes the checker exactly when the original does
    assert checker_errors(text) == checker_errors(raw.decode("utf-8-sig"))


def test_crlf_and_amounts_like_100000_0_survive_a_round_trip():
    text = SMALL.replace("budget;1000.50", "budget;100000.0\nnum_projects;3\nnum_votes;3")
    text = text.replace("b;400;Bench;", "b;400.0;Bench;")
    text = text.replace("\n", "\r\n")
    assert write_pabulib(*parse_pabulib(text)) == text


def test_cumulative_ballots_are_written_by_points_most_first():
    instance, profile = parse_pabulib(SMALL)
    again = write_pabulib(instance, Profile.from_ballots(instance, "cumulative", [{"b": 1, "a": 4}, {"a": 2, "b": 3}]))
    assert "1;a,b;4,1\n" in again and "2;b,a;3,2\n" in again


def test_a_new_election_with_full_meta_passes_pabulibs_checker():
    pytest.importorskip("pabulib.checker")
    meta = {"description": "Astana, Almaty district", "country": "Kazakhstan", "unit": "Astana",
            "instance": "2026", "num_projects": "3", "num_votes": "4", "budget": "1000000",
            "vote_type": "cumulative", "rule": "greedy", "date_begin": "01.03.2026",
            "date_end": "31.03.2026", "max_sum_points": "5", "language": "kk", "currency": "KZT"}
    instance = Instance([Project("1", 500_000, "Park", "greenery,sport"), Project("2", 400_000, "Bench"),
                         Project("3", 300_000, "Lamps")], 1_000_000, meta,
                        ["project_id", "cost", "name", "category", "votes", "score"])
    profile = Profile.from_ballots(instance, "cumulative", [{"1": 3, "2": 2}, {"2": 5}, {"3": 1, "1": 4}, {"3": 5}],
                                   columns={"voting_method": ["internet"] * 4})
    text = write_pabulib(instance, profile)
    assert checker_errors(text) == set()
    assert "1;500000;Park;greenery,sport;2;7\n" in text      # votes and score filled from the ballots


def test_categories_given_as_a_tuple_are_written_as_pabulib_lists():
    project = Project("1", 10, "Park", ("playgrounds", "sport"))
    assert project.category == "playgrounds,sport"
