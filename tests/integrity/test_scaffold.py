"""The integrity suite shares the web fixtures (a smoke test that they are wired in)."""


def test_integrity_suite_sees_the_web_fixtures(users):
    assert users["resident"].home_area is not None
