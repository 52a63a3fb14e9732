"""Full-text search of proposals: FTS5 trigram on SQLite, pg_trgm on PostgreSQL, ranked by
relevance (the query's words in the title) then supports. The expected results are written out,
so the same queries give the same top results on both databases (the suite runs on each)."""
import pytest

from app.core.clock import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import Proposal
from app.proposals import listing
from app.proposals.search import stems

from .test_voting import EN

# (title, description, supports)
PROPOSALS = [
    ("Сарыарқа даңғылы, 12 үй ауласына балалар алаңы", "Аулада балалар көп, бірақ алаң ескірген.", 40),
    ("Тұран даңғылы бойындағы жаяу жүргіншілер жолын жарықтандыру", "Кешке қараңғы, шамдар жоқ.", 90),
    ("Балалар алаңын жөндеу: Сығанақ көшесі", "Ескі әткеншектер сынған.", 15),
    ("Ағаш отырғызу: Жеңіс даңғылы", "Ауланы көгалдандыру, балалар үшін көлеңке.", 70),
    ("Детская площадка во дворе: ул. Кунаева, 14", "Во дворе много детей, а площадки нет.", 25),
    ("Освещение тротуара: пр. Абылай хана", "Вечером темно, нужны фонари и освещение дорожек.", 60),
    ("Скамейки и урны в сквере", "Рядом детская площадка, но скамеек нет.", 80),
    ("Ремонт площадки для воркаута", "Турники сломаны, дети просят новую площадку.", 10),
]


def titles(page) -> list[str]:
    return [p.title for p in page.items]


def found(query: str) -> list[str]:
    return titles(listing.search(listing.Filters(q=query)))


@pytest.fixture
def proposals(users, open_process):
    budget = open_process.budgets[0]
    made = []
    for title, description, supports in PROPOSALS:
        p = Proposal(process=open_process, budget=budget, area=budget.area, author=users["resident"], title=title,
                     description=description, description_html=render_markdown(description), address="Астана",
                     estimated_cost=5_000_000, status="submitted", support_count=supports, submitted_at=utcnow())
        db.session.add(p)
        made.append(p)
    db.session.commit()
    return made


def test_words_are_searched_by_their_stem():
    assert stems("Балалар алаңдары") == ["бала", "алаң"]
    assert stems("площадки") == ["площ"]
    assert stems("а в ул") == []


def test_kazakh_queries_find_other_endings_ranked_by_title_then_supports(proposals):
    # "алаңдары": the title of both playgrounds holds "балалар" and "алаң"; the trees only mention children.
    assert found("балалар алаңдары") == ["Сарыарқа даңғылы, 12 үй ауласына балалар алаңы",
                                         "Балалар алаңын жөндеу: Сығанақ көшесі"]
    assert found("балаларға") == ["Сарыарқа даңғылы, 12 үй ауласына балалар алаңы",
                                  "Балалар алаңын жөндеу: Сығанақ көшесі",
                                  "Ағаш отырғызу: Жеңіс даңғылы"]
    assert found("жарықтандыру") == ["Тұран даңғылы бойындағы жаяу жүргіншілер жолын жарықтандыру"]
    assert found("ДАҢҒЫЛЫ")[:3] == ["Тұран даңғылы бойындағы жаяу жүргіншілер жолын жарықтандыру",
                                    "Ағаш отырғызу: Жеңіс даңғылы",
                                    "Сарыарқа даңғылы, 12 үй ауласына балалар алаңы"]


def test_russian_queries_find_other_endings_ranked_by_title_then_supports(proposals):
    assert found("площадка") == ["Детская площадка во дворе: ул. Кунаева, 14", "Ремонт площадки для воркаута",
                                 "Скамейки и урны в сквере"]
    assert found("освещения") == ["Освещение тротуара: пр. Абылай хана"]
    # Both words in the title first; "детская" is nowhere in the workout ground's text.
    assert found("детская площадка") == ["Детская площадка во дворе: ул. Кунаева, 14", "Скамейки и урны в сквере"]


def test_the_index_follows_edits_and_hiding(proposals, users):
    trees = proposals[3]
    trees.title = "Ағаш пен гүл отырғызу: Жеңіс даңғылы"
    db.session.commit()
    assert found("гүл") == ["Ағаш пен гүл отырғызу: Жеңіс даңғылы"]
    trees.hidden_at, trees.hidden_reason, trees.hidden_by_id = utcnow(), "Personal data", users["moderator"].id
    db.session.commit()
    assert found("гүл") == [] and "Ағаш пен гүл отырғызу: Жеңіс даңғылы" not in found("балалар")
    db.session.delete(proposals[0])
    db.session.commit()
    assert found("алаңы") == ["Балалар алаңын жөндеу: Сығанақ көшесі"]


def test_the_listing_page_searches_in_kazakh_and_russian(client, proposals):
    html = client.get("/proposals?q=балалар+алаңы", headers=EN).get_data(as_text=True)
    assert html.index("Сарыарқа даңғылы, 12 үй") < html.index("Балалар алаңын жөндеу") and "Скамейки" not in html
    assert client.get("/proposals?q=ул", headers=EN).status_code == 200  # no word of three letters: a plain search
    api = client.get("/api/v1/proposals?q=освещение").get_json()
    assert [item["title"] for item in api["items"]] == ["Освещение тротуара: пр. Абылай хана"]
