"""What a component's notifications are about: a registry the components fill.

A notification about a town hall stores ("meeting", its id) and a detail code ("reminder"); the
app holds no foreign key into the component and never imports it. The component registers, once,
how to describe its subjects: a title and a page for each id, and a sentence for each detail. The
notifications page and the emails ask here, one query per kind for a whole page."""
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from app.notifications.mail import page_url


@dataclass(frozen=True)
class Subject:
    title: str
    endpoint: str  # the subject's page, with ``values``
    values: Mapping[str, object]


@dataclass(frozen=True)
class SubjectKind:
    describe: Callable[[set[int]], dict[int, Subject]]  # ids -> the subjects that still exist
    notices: Mapping[str, object]  # detail code -> sentence (lazy, in the reader's language)
    email_subject: object  # the subject line of its emails (lazy)


_KINDS: dict[str, SubjectKind] = {}


def register(kind: str, describe: Callable[[set[int]], dict[int, Subject]], notices: Mapping[str, object],
             email_subject) -> None:
    """Called by a component's ``init_app``: how its notifications' subjects are shown and emailed."""
    _KINDS[kind] = SubjectKind(describe, notices, email_subject)


def email(kind: str, subject_id: int, detail: str | None) -> tuple[object, object] | None:
    """(subject line, body callable) of the email about a subject, or None when it cannot be told
    (an unknown kind, a subject that is gone). The body is rendered in each recipient's language."""
    known = _KINDS.get(kind)
    subject = known.describe({subject_id}).get(subject_id) if known else None
    if subject is None:
        return None
    link = page_url(subject.endpoint, **subject.values)
    return known.email_subject, lambda: "\n\n".join([subject.title, notice(kind, detail), link])


def notice(kind: str, detail: str | None) -> str:
    """The sentence for what happened (the code itself when the kind or detail is unknown)."""
    known = _KINDS.get(kind)
    return str(known.notices.get(detail or "", detail or "")) if known else (detail or "")


def describe(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Subject]:
    """The subjects named by (kind, id) pairs, one call per kind; a subject that is gone (or a kind no
    component registered) is left out, and its notification is shown without a link."""
    wanted: dict[str, set[int]] = {}
    for kind, subject_id in pairs:
        if kind in _KINDS:
            wanted.setdefault(kind, set()).add(subject_id)
    return {(kind, subject_id): subject for kind, ids in wanted.items()
            for subject_id, subject in _KINDS[kind].describe(ids).items()}

