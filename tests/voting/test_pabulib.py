"""pabulib reading and writing: round trips, quoting, line endings, clear errors."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from pabulib_corpus import PABULIB_DIR, files

from voting import PabulibError, parse_pabulib, read_pabulib, write_pabulib

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
