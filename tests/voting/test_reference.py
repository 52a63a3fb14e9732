"""Our selections equal pabutools' on every shared pabulib file and every reference rule."""
from __future__ import annotations

from fractions import Fraction

import pytest
from pabulib_corpus import election, reference
from pabulib_reference_map import options_for

from voting import allocate

CASES = [(f, key) for f, entries in reference().items() for key, e in entries.items()
         if key != "_parse" and e.get("status") == "ok"]


@pytest.mark.skipif(not CASES, reason="shared pabulib corpus not found")
@pytest.mark.parametrize("filename,key", CASES, ids=[f"{f[:-3]}-{k}" for f, k in CASES])
def test_selection_matches_pabutools_reference(filename, key):
    expected = reference()[filename][key]
    instance, profile = election(filename)
    rule, options, how = options_for(key)
    outcome = allocate(rule, instance, profile, **options)
    assert outcome.cost <= instance.budget
    if how == "set":
        assert sorted(outcome.selected) == sorted(expected["selected"])
        assert outcome.cost == Fraction(expected["total_cost"])
    else:  # optima can tie: compare the optimal total welfare
        assert outcome.details["total_score"] == pytest.approx(float(Fraction(expected["welfare"])), rel=1e-12)


def test_reference_covers_every_shared_file():
    from pabulib_corpus import files
    assert set(reference()) <= set(files())
