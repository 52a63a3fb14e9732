"""Every page a role opens renders (no template errors) in all three languages."""
import pytest

from .test_proposals import propose


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
def test_pages_render_for_each_role(client, users, open_process, log_in, locale):
    headers = {"Accept-Language": locale}
    log_in(users["resident"])
    proposal = propose(client, open_process)
    for path in ("/", "/proposals", "/proposals/new", f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/edit",
                 "/notifications", "/notifications/settings", "/auth/profile"):
        assert client.get(path, headers=headers).status_code == 200, path
    client.post("/auth/logout")
    admin_pages = ("/admin/processes", f"/admin/processes/{open_process.id}",
                   f"/admin/processes/{open_process.id}/categories")
    expected = {
        "akimat": {**dict.fromkeys(admin_pages, 200), "/moderation": 403},
        "moderator": {**dict.fromkeys(admin_pages, 403), "/moderation": 200},
        "admin": {**dict.fromkeys(admin_pages, 200), "/moderation": 200},
    }
    for who, pages in expected.items():
        log_in(users[who])
        for path in (f"/proposals/{proposal.id}", "/proposals"):
            assert client.get(path, headers=headers).status_code == 200, (who, path)
        for path, status in pages.items():
            assert client.get(path, headers=headers).status_code == status, (who, path)
        client.post("/auth/logout")
