"""The accessibility check itself: axe-core really runs, and a broken page fails it. Without
this, a checker that silently did nothing would pass every page of the journey."""
import pytest

from tests.e2e.helpers import check_page


def test_axe_fails_a_page_with_an_unlabelled_field(new_page):
    page = new_page()
    page.goto("/auth/login")
    check_page(page, "00-login")  # the real page passes
    page.evaluate("() => document.querySelector('main form').insertAdjacentHTML('beforeend', '<input id=\"nameless\">')")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        check_page(page, "00-axe-self-check")
