"""Read Pol.is export folders (the format of compdemocracy/openData).

A folder holds ``comments.csv``, ``votes.csv`` (not always: American Assembly's Bowling Green
export has none), ``participants-votes.csv`` and ``summary.csv``. The readers are lenient to the
variations met in the published exports: an optional ``xid`` column, comment columns that leave
out moderated-out comments (London) or keep them (Bowling Green), a byte-order mark, Windows
line endings, votes written ``1.0`` and header names with stray spaces.

Moderation follows Pol.is: ``moderated`` is 1 (shown), 0 (not yet moderated) or -1 (hidden).
Pol.is leaves only the hidden (-1) ones out of the analysis (its ``mod-out`` set; see
``math/src/polismath/math/conversation.clj``, ``:rating-mat``), so do we:
:attr:`PolisConversation.moderated_out` is passed to
:func:`consultations.analysis.opinion_map` as ``excluded``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .matrix import VoteMatrix

FIXED_COLUMNS = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"}


class PolisFormatError(ValueError):
    """A file of the export folder that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class PolisComment:
    id: int
    author: int | None
    agrees: int
    disagrees: int
    moderated: int
    text: str
    timestamp: int | None


@dataclass(frozen=True)
class PolisConversation:
    """One export folder: the votes, the comments and the groups Pol.is assigned."""

    matrix: VoteMatrix
    comments: dict[int, PolisComment]
    moderated_out: frozenset[int]
    polis_groups: dict[int, int]
    summary: dict[str, str]
    votes_source: str  # "votes.csv" or "participants-votes.csv"


class _Table:
    """A CSV file read row by row, with fields looked up by (case-insensitive) header name."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self):
        try:
            handle = open(self.path, newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise PolisFormatError(f"{self.path}: {exc.strerror or exc}") from None
        with handle:
            reader = csv.reader(handle)
            try:
                self.header = [h.strip().lower() for h in next(reader)]
            except StopIteration:
                raise PolisFormatError(f"{self.path}: empty file") from None
            except (csv.Error, UnicodeDecodeError) as exc:
                raise PolisFormatError(f"{self.path}, line 1: {exc}") from None
            self.lineno = 1
            try:
                for row in reader:
                    self.lineno = reader.line_num
                    if any(cell.strip() for cell in row):
                        self.row = [cell.strip() for cell in row]
                        yield self
            except (csv.Error, UnicodeDecodeError) as exc:
                raise PolisFormatError(f"{self.path}, line {reader.line_num}: {exc}") from None

    def error(self, message: str) -> PolisFormatError:
        return PolisFormatError(f"{self.path}, line {self.lineno}: {message}")

    def text(self, name: str) -> str:
        try:
            i = self.header.index(name)
        except ValueError:
            raise PolisFormatError(f"{self.path}: no {name!r} column") from None
        return self.row[i] if i < len(self.row) else ""

    def number(self, name: str, default: int | None = None, *, required: bool = True) -> int | None:
        """A whole number (``1.0`` accepted); ``default`` when empty, or an error if required."""
        return self.parse(self.text(name), name, default, required=required)

    def parse(self, text: str, name: str, default=None, *, required: bool = True):
        if text == "":
            if required and default is None:
                raise self.error(f"{name} is empty")
            return default
        try:
            value = float(text)
        except ValueError:
            raise self.error(f"{name} {text!r} is not a number") from None
        if not value.is_integer():
            raise self.error(f"{name} {text!r} is not a whole number")
        return int(value)

    def vote(self, text: str, name: str = "vote") -> int:
        vote = self.parse(text, name)
        if vote not in (-1, 0, 1):
            raise self.error(f"{name} {text!r} is not 1, 0 or -1")
        return vote


def read_comments(folder) -> dict[int, PolisComment]:
    """``comments.csv`` as ``{comment id: PolisComment}``."""
    out = {}
    for t in _Table(Path(folder) / "comments.csv"):
        cid = t.number("comment-id")
        out[cid] = PolisComment(
            id=cid, author=t.number("author-id", required=False),
            agrees=t.number("agrees", 0), disagrees=t.number("disagrees", 0),
            moderated=t.number("moderated", 0), text=t.text("comment-body"),
            timestamp=t.number("timestamp", required=False))
    return out


def read_votes_csv(folder, statements=None) -> VoteMatrix:
    """``votes.csv``: every vote with its time; the latest vote of a participant on a comment
    counts, which gives exactly Pol.is's own ``participants-votes.csv`` matrix."""
    records = []
    for t in _Table(Path(folder) / "votes.csv"):
        records.append((t.number("timestamp", 0), t.lineno, t.number("voter-id"),
                        t.number("comment-id"), t.vote(t.text("vote"))))
    records.sort()  # by time; the file order breaks ties
    return VoteMatrix.from_votes([r[2] for r in records], [r[3] for r in records],
                                 [r[4] for r in records], participants=sorted({r[2] for r in records}),
                                 statements=sorted({r[3] for r in records} | set(statements or ())))


def read_participants_votes(folder, statements=None) -> tuple[VoteMatrix, dict[int, int]]:
    """``participants-votes.csv``: the vote matrix and the group Pol.is assigned to each
    participant it clustered (``group-id``; empty for the others)."""
    p_ids, s_ids, votes, groups = [], [], [], {}
    table = _Table(Path(folder) / "participants-votes.csv")
    columns = None
    for t in table:
        if columns is None:  # comment columns: every header that is not a fixed one
            columns = []
            for i, name in enumerate(t.header):
                if name in FIXED_COLUMNS or name == "":
                    continue
                if not name.lstrip("-").isdigit():
                    raise PolisFormatError(f"{t.path}: unexpected column {name!r}")
                columns.append((i, int(name)))
        pid = t.number("participant")
        group = t.number("group-id", required=False)
        if group is not None:
            groups[pid] = group
        for i, cid in columns:
            cell = t.row[i] if i < len(t.row) else ""
            if cell != "":
                p_ids.append(pid)
                s_ids.append(cid)
                votes.append(t.vote(cell, f"vote on comment {cid}"))
    matrix = VoteMatrix.from_votes(p_ids, s_ids, votes, participants=sorted(set(p_ids)),
                                   statements=sorted({c for _, c in columns or ()} | set(statements or ())))
    return matrix, groups


def read_summary(folder) -> dict[str, str]:
    """``summary.csv`` (two columns, key and value) as a dict."""
    path = Path(folder) / "summary.csv"
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return {row[0].strip(): (row[1].strip() if len(row) > 1 else "")
                    for row in csv.reader(handle) if row}
    except OSError as exc:
        raise PolisFormatError(f"{path}: {exc.strerror or exc}") from None


def read_conversation(folder) -> PolisConversation:
    """Read a whole export folder: votes from ``votes.csv`` when present, otherwise from
    ``participants-votes.csv``; Pol.is's groups from ``participants-votes.csv`` when present."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisFormatError(f"{folder}: not a folder")
    comments = read_comments(folder)
    moderated_out = frozenset(c.id for c in comments.values() if c.moderated == -1)
    groups: dict[int, int] = {}
    matrix = None
    if (folder / "participants-votes.csv").exists():
        matrix, groups = read_participants_votes(folder, statements=comments)
    source = "participants-votes.csv"
    if (folder / "votes.csv").exists():
        matrix, source = read_votes_csv(folder, statements=comments), "votes.csv"
    if matrix is None:
        raise PolisFormatError(f"{folder}: neither votes.csv nor participants-votes.csv")
    summary = read_summary(folder) if (folder / "summary.csv").exists() else {}
    return PolisConversation(matrix, comments, moderated_out, groups, summary, source)
