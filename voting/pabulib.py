"""Read and write pabulib ``.pb`` files (META / PROJECTS / VOTES sections).

The reader streams the VOTES section into flat integer / float buffers, so a file with
hundreds of thousands of votes never becomes one Python object per vote. Quoted fields,
Windows line endings, a UTF-8 byte-order mark and decimal commas in amounts are accepted.
Every problem raises :class:`PabulibError` naming the line.
"""
from __future__ import annotations

import csv
import io
import os
from array import array
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from ._threads import single_blas
from .pabulib_fast import fast_votes
from .types import VOTE_TYPES, Instance, Profile, Project, to_fraction

PROJECT_FIELDS = {"project_id", "cost", "name", "category", "area"}
_COST_TEXT: dict = {}


class PabulibError(ValueError):
    """A malformed pabulib file: ``line`` is the 1-based line number (0 if unknown)."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


def _split(line: str, lineno: int) -> list[str]:
    if '"' not in line:
        return line.split(";")
    try:
        return next(csv.reader([line], delimiter=";", strict=True))
    except csv.Error as exc:
        raise PabulibError(lineno, f"badly quoted field ({exc})") from None


def _amount(text: str, lineno: int, what: str) -> Fraction:
    try:
        return to_fraction(text)
    except (ValueError, ArithmeticError, TypeError):
        raise PabulibError(lineno, f"{what} {text!r} is not a number") from None


@single_blas
def read_pabulib(source) -> tuple[Instance, Profile]:
    """Read a pabulib file.

    Parameters
    ----------
    source : str or os.PathLike or file object
        A path, or an open text/binary file.

    Returns
    -------
    (Instance, Profile)

    Raises
    ------
    PabulibError
        With the line number and what is wrong.
    """
    if hasattr(source, "read"):
        data = source.read()
    else:
        with open(os.fspath(source), "rb") as fh:
            data = fh.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PabulibError(0, f"not UTF-8 text ({exc})") from None
    return parse_pabulib(data)


def parse_pabulib(text: str) -> tuple[Instance, Profile]:
    """Parse the text of a pabulib file; see :func:`read_pabulib`.

    Lines are read lazily (universal newlines), so the VOTES section is never split into
    one string per vote up front.
    """
    stream = io.StringIO(text.removeprefix("\ufeff"), newline=None)
    head: list[str] = []          # META and PROJECTS lines: small
    sections: dict[str, int] = {}
    for lineno, raw in enumerate(stream, start=1):
        line = raw.rstrip("\n")
        word = _section_word(line)
        if word:
            if word in sections:
                raise PabulibError(lineno, f"second {word.upper()} section")
            sections[word] = lineno
            if word == "votes":
                break
        head.append(line)
    for name in ("meta", "projects", "votes"):
        if name not in sections:
            raise PabulibError(0, f"no {name.upper()} section")
    if not sections["meta"] < sections["projects"] < sections["votes"]:
        raise PabulibError(sections["projects"], "sections must come in the order META, PROJECTS, VOTES")

    meta = _read_meta(head, sections["meta"], sections["projects"])
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(sections["meta"], f"unknown vote_type {vote_type!r}; known: {', '.join(VOTE_TYPES)}")
    if "budget" not in meta:
        raise PabulibError(sections["meta"], "META has no budget")
    budget = _amount(meta["budget"], sections["meta"], "budget")
    projects, columns = _read_projects(head, sections["projects"], sections["votes"])
    instance = Instance(projects, budget, meta, columns)
    # How the file wrote things the data does not keep, so a write gives the same text back:
    # line endings and amounts such as "100000.0".
    first_end = text.find("\n")
    instance.pabulib_format = {"newline": "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n",
                               "cost_text": dict(_COST_TEXT.pop("current", {})),
                               "final_newline": text.endswith("\n")}
    profile = _read_votes(stream, sections["votes"], instance, vote_type)
    return instance, profile


def _section_word(line: str) -> str | None:
    if len(line) > 16:
        return None
    word = line.strip().strip('"').strip(";").lower()
    return word if word in ("meta", "projects", "votes") else None


def _read_meta(lines, start, end) -> dict:
    meta = {}
    for lineno in range(start + 2, end):
        line = lines[lineno - 1]
        if not line.strip():
            continue
        row = _split(line, lineno)
        if len(row) < 2:
            raise PabulibError(lineno, "META rows need a key and a value separated by ';'")
        meta[row[0].strip()] = ";".join(row[1:]).strip()
    return meta


def _read_projects(lines, start, end):
    if start >= len(lines) or start + 1 >= end:
        raise PabulibError(start, "PROJECTS has no header row")
    header = [h.strip() for h in _split(lines[start], start + 1)]
    cost_text = _COST_TEXT.setdefault("current", {})
    cost_text.clear()
    for needed in ("project_id", "cost"):
        if needed not in header:
            raise PabulibError(start + 1, f"PROJECTS header lacks the {needed} column")
    projects = []
    for lineno in range(start + 2, end):
        line = lines[lineno - 1]
        if not line.strip():
            continue
        row = _split(line, lineno)
        if len(row) != len(header):
            raise PabulibError(lineno, f"expected {len(header)} fields as in the header, found {len(row)}")
        values = dict(zip(header, (v.strip() for v in row)))
        cost = _amount(values["cost"], lineno, "cost")
        if cost < 0:
            raise PabulibError(lineno, f"cost {values['cost']} is negative")
        extra = {k: v for k, v in values.items() if k not in PROJECT_FIELDS}
        cost_text[values["project_id"]] = values["cost"]
        if "name" in header:
            raw = row[header.index("name")]
            if raw != raw.strip():
                cost_text["name:" + values["project_id"]] = raw
        projects.append(Project(values["project_id"], cost, values.get("name", ""),
                                values.get("category"), values.get("area"), extra))
    ids = set()
    for p in projects:
        if p.id in ids:
            raise PabulibError(start, f"project id {p.id!r} appears twice in PROJECTS")
        ids.add(p.id)
    return projects, header


def _read_votes(stream, start, instance: Instance, vote_type: str) -> Profile:
    first = stream.readline()
    if not first:
        raise PabulibError(start, "VOTES has no header row")
    header = [h.strip() for h in _split(first.rstrip("\n"), start + 1)]
    if "vote" not in header:
        raise PabulibError(start + 1, "VOTES header lacks the vote column")
    width = len(header)
    vi = header.index("vote")
    pi = header.index("points") if "points" in header else None
    idcol = header.index("voter_id") if "voter_id" in header else None
    other = [(k, i) for i, k in enumerate(header) if i not in (vi, pi, idcol)]
    rest = stream.read()
    fast = fast_votes(rest, header, instance, vote_type)
    if fast is not None:
        profile = _profile_from_arrays(instance, vote_type, header, other, idcol, pi, *fast)
        if profile is not None:
            return profile
    stream = io.StringIO(rest)
    index = instance.index
    cols, vals, indptr = array("i"), array("d"), array("q", [0])
    # Text columns (voter_id first) are buffered in lists and flushed to NumPy chunks.
    text_cols = ([idcol] if idcol is not None else []) + [i for _, i in other]
    bufs = [[] for _ in text_cols]
    chunks = [[] for _ in text_cols]
    pairs = list(zip(bufs, text_cols))
    n = 0
    want_points = vote_type in ("cumulative", "scoring")
    rank_points = vote_type == "ordinal" and pi is not None   # kept only to write them back
    lineno = start + 1
    for raw in stream:
        lineno += 1
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if len(line) <= 16 and _section_word(line):
            raise PabulibError(lineno, f"second {_section_word(line).upper()} section")
        row = _split(line, lineno)
        if len(row) != width:
            raise PabulibError(lineno, f"expected {width} fields as in the VOTES header, found {len(row)}")
        vote = row[vi].strip()
        if not vote:
            tokens = []
        elif " " in vote:
            tokens = [t.strip() for t in vote.split(",")]
        else:
            tokens = vote.split(",")
        try:
            idx = [index[t] for t in tokens]
        except KeyError:
            bad = next(t for t in tokens if t not in index)
            raise PabulibError(lineno, f"vote names project {bad!r}, which is not in PROJECTS") from None
        if len(set(idx)) != len(idx):
            raise PabulibError(lineno, "a project appears twice in the same vote")
        if want_points or rank_points:
            ptext = row[pi].strip() if pi is not None else ""
            points = [p.strip() for p in ptext.split(",")] if ptext else []
            if rank_points and len(points) != len(idx):
                points = ["0"] * len(idx)
            if len(points) != len(idx):
                raise PabulibError(lineno, f"{len(idx)} projects but {len(points)} points")
            try:
                pts = [float(int(p)) for p in points]
            except ValueError:
                pts = [_points(p, lineno) for p in points]
            vals.extend(pts)
        cols.extend(idx)
        indptr.append(len(cols))
        n += 1
        for buf, i in pairs:
            buf.append(row[i].strip())
        if n % 16384 == 0:
            for chunk, buf in zip(chunks, bufs):
                chunk.append(np.array(buf, dtype=str))
                buf.clear()
    columns = []
    for chunk, buf in zip(chunks, bufs):
        chunk.append(np.array(buf, dtype=str))
        columns.append(np.concatenate(chunk) if len(chunk) > 1 else chunk[0])
    voter_ids = columns.pop(0) if idcol is not None else np.array([str(i + 1) for i in range(n)], dtype=str)
    ptr = np.frombuffer(indptr, dtype=np.int64).copy()
    if want_points:
        data = np.frombuffer(vals, dtype=np.float64).copy()
    elif vote_type == "ordinal":   # rank position 1..k within each ballot
        data = (np.arange(ptr[-1]) - np.repeat(ptr[:-1], np.diff(ptr)) + 1).astype(np.float64)
    else:
        data = np.ones(int(ptr[-1]))
    indices = np.frombuffer(cols, dtype=np.int32).copy()
    shadow = None
    if vote_type != "ordinal" and n:
        # the order of the ids on each line, carried through the CSR's sort (for the writer)
        pos = (np.arange(ptr[-1]) - np.repeat(ptr[:-1], np.diff(ptr))).astype(np.float64) + 1
        shadow = sp.csr_matrix((pos, indices.copy(), ptr.copy()), shape=(n, len(instance)))
        shadow.sort_indices()
    extra = None
    if rank_points and n:
        extra = sp.csr_matrix((np.frombuffer(vals, dtype=np.float64).copy(), indices.copy(), ptr.copy()),
                              shape=(n, len(instance)))
        extra.sort_indices()
    matrix = sp.csr_matrix((data, indices, ptr), shape=(n, len(instance)))
    profile = Profile(vote_type, matrix, voter_ids, None, {k: c for (k, _), c in zip(other, columns)})
    profile.vote_columns = header
    if shadow is not None and np.array_equal(shadow.indices, profile.matrix.indices):
        profile.vote_positions = shadow.data
    if extra is not None:
        profile.rank_points = extra.data
    return profile


def _profile_from_arrays(instance, vote_type, header, other, idcol, pi, indices, ptr, points, columns):
    """The profile from :func:`voting.pabulib_fast.fast_votes`' arrays (same as the line reader's)."""
    n = len(ptr) - 1
    voter_ids = columns[header[idcol]] if idcol is not None else np.array([str(i + 1) for i in range(n)], dtype=str)
    rank_points = vote_type == "ordinal" and pi is not None
    if vote_type in ("cumulative", "scoring"):
        data = points if points is not None else np.zeros(0)
    elif vote_type == "ordinal":
        data = (np.arange(ptr[-1]) - np.repeat(ptr[:-1], np.diff(ptr)) + 1).astype(np.float64)
    else:
        data = np.ones(int(ptr[-1]))
    shadow = extra = None
    if vote_type != "ordinal" and n:
        pos = (np.arange(ptr[-1]) - np.repeat(ptr[:-1], np.diff(ptr))).astype(np.float64) + 1
        shadow = sp.csr_matrix((pos, indices.copy(), ptr.copy()), shape=(n, len(instance)))
        shadow.sort_indices()
    if rank_points and n and points is not None:
        extra = sp.csr_matrix((points.copy(), indices.copy(), ptr.copy()), shape=(n, len(instance)))
        extra.sort_indices()
    matrix = sp.csr_matrix((data, indices, ptr), shape=(n, len(instance)))
    profile = Profile(vote_type, matrix, voter_ids, None, {k: columns[k] for k, _ in other})
    m = profile.matrix
    row_of = np.repeat(np.arange(n), np.diff(m.indptr))
    if np.any((np.diff(m.indices) == 0) & (np.diff(row_of) == 0)):
        return None                  # a project twice in one vote: the line reader reports it
    profile.vote_columns = header
    if shadow is not None and np.array_equal(shadow.indices, profile.matrix.indices):
        profile.vote_positions = shadow.data
    if extra is not None:
        profile.rank_points = extra.data
    return profile


def _points(text: str, lineno: int) -> float:
    value = _amount(text, lineno, "points value")
    if float(value) != value:
        raise PabulibError(lineno, f"points value {text!r} cannot be held exactly")
    return float(value)
