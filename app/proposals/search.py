"""Full-text search of proposals, the same on SQLite and PostgreSQL.

A query is cut into words; each word of three letters or more is searched by its stem (a long
word less its last letters, so that "алаңдары" finds "алаң" and "площадки" finds "площадь"),
and a proposal matches when every stem is in its title, description or address (the index of
:mod:`app.models.search` finds them: FTS5 trigram on SQLite, a pg_trgm GIN index on PostgreSQL).
Matches are ranked by relevance — how many stems the title holds — then by supports: the
same rule on both databases, so the same query gives the same results on both."""
import re

from sqlalchemy import Integer, and_, cast, literal, literal_column, or_, select, table, text
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models import Proposal
from app.models.search import PG_DOCUMENT, TABLE

MAX_WORDS = 6
WORD = re.compile(r"\w+", re.UNICODE)


def stem(word: str) -> str:
    """The part of a word its other forms share (crudely: Kazakh and Russian endings are at the end)."""
    cut = {5: 1, 6: 2, 7: 3}.get(len(word), 4 if len(word) >= 8 else 0)
    return word[:len(word) - cut]


def stems(query: str) -> list[str]:
    found = []
    for word in WORD.findall(query.casefold()):
        s = stem(word)
        if len(s) >= 3 and s not in found:
            found.append(s)
    return found[:MAX_WORDS]


def _escaped(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phrase(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def conditions(query: str) -> tuple[ColumnElement, ColumnElement] | None:
    """(what a proposal must match, its relevance) for ``query``, or None when it has no word of
    three letters (the caller falls back to a plain substring search)."""
    found = stems(query)
    if not found:
        return None
    if db.engine.dialect.name == "postgresql":
        document = literal_column(PG_DOCUMENT)
        match = and_(Proposal.hidden_at.is_(None),
                     *(document.ilike(f"%{_escaped(s)}%", escape="\\") for s in found))
        relevance = sum((cast(Proposal.title.ilike(f"%{_escaped(s)}%", escape="\\"), Integer) for s in found),
                        literal(0))
        return match, relevance
    match = and_(Proposal.hidden_at.is_(None),
                 Proposal.id.in_(_fts(" AND ".join(_phrase(s) for s in found), "search_all")))
    relevance = sum((cast(Proposal.id.in_(_fts("title : " + _phrase(s), f"search_title_{i}")), Integer)
                     for i, s in enumerate(found)), literal(0))
    return match, relevance


def _fts(expression: str, name: str):
    """The ids of the proposals whose FTS5 row matches ``expression`` (SQLite)."""
    return (select(literal_column("rowid")).select_from(table(TABLE))
            .where(text(f"{TABLE} MATCH :{name}").bindparams(**{name: expression})))


def substring(query: str) -> ColumnElement:
    """A plain substring search, for a query with no word of three letters."""
    pattern = "%" + _escaped(query) + "%"
    return and_(Proposal.hidden_at.is_(None),
                or_(Proposal.title.ilike(pattern, escape="\\"), Proposal.description.ilike(pattern, escape="\\")))
