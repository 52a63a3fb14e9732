"""The participants × statements vote matrix.

A vote is 1 (agree), -1 (disagree) or 0 (pass); a statement a participant has not voted on is
*missing* (not seen), which is not the same as a pass. The matrix is held sparse: a
``scipy.sparse`` CSR matrix of small integer *codes*, ``vote + 2`` (1 disagree, 2 pass, 3 agree),
so that a stored entry always means "seen" and a pass is never confused with "not seen".
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

AGREE, PASS, DISAGREE = 1, 0, -1
_OFFSET = 2  # code = vote + 2, so 0 stays free for "not seen"


class VoteError(ValueError):
    """Votes that cannot form a matrix (unknown value, mismatched lengths)."""


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Votes of ``participants`` (rows) on ``statements`` (columns).

    Build one with :meth:`from_votes` (one record per vote, the last vote on a pair wins) or
    :meth:`from_dense` (NaN = not seen). Ids are any hashable values (ints, strings) and are kept
    in the order given.

    Attributes
    ----------
    participants, statements : tuple
        Row and column ids.
    codes : scipy.sparse.csr_matrix of int8
        ``vote + 2`` where the participant voted, nothing stored where they did not.
    """

    participants: tuple
    statements: tuple
    codes: sp.csr_matrix = field(repr=False)

    def __post_init__(self):
        if self.codes.shape != (len(self.participants), len(self.statements)):
            raise VoteError("codes shape does not match the ids")

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_votes(cls, participant_ids: Sequence, statement_ids: Sequence, votes: Sequence, *,
                   participants: Sequence | None = None,
                   statements: Sequence | None = None) -> VoteMatrix:
        """Matrix from parallel sequences, one entry per vote, in time order.

        When a participant voted more than once on a statement, the last vote counts (votes are
        changeable until the close). ``participants`` / ``statements`` fix the rows and columns
        (e.g. statements nobody has voted on yet); by default they are the ids met, in order of
        first appearance. A vote whose participant or statement is not among them is an error.
        """
        votes = np.asarray(votes, dtype=float)
        n = len(votes)
        if len(participant_ids) != n or len(statement_ids) != n:
            raise VoteError("participant ids, statement ids and votes must have the same length")
        if n and not np.isin(votes, (AGREE, PASS, DISAGREE)).all():
            bad = votes[~np.isin(votes, (AGREE, PASS, DISAGREE))][0]
            raise VoteError(f"a vote must be 1, 0 or -1, not {bad!r}")
        rows, participants = _index(participant_ids, participants, "participant")
        cols, statements = _index(statement_ids, statements, "statement")
        # Keep the last vote per (row, col): unique over the reversed records finds it first.
        key = rows.astype(np.int64) * max(len(statements), 1) + cols
        _, last = np.unique(key[::-1], return_index=True)
        keep = n - 1 - last
        codes = sp.csr_matrix(
            ((votes[keep] + _OFFSET).astype(np.int8), (rows[keep], cols[keep])),
            shape=(len(participants), len(statements)), dtype=np.int8)
        return cls(tuple(participants), tuple(statements), codes)

    @classmethod
    def from_dense(cls, values, participants: Sequence | None = None,
                   statements: Sequence | None = None) -> VoteMatrix:
        """Matrix from a 2-D array-like of 1 / 0 / -1 with NaN (or None) where not seen.

        Ids default to ``0..n-1``.
        """
        values = np.array(values, dtype=float)
        if values.ndim != 2:
            raise VoteError("a dense vote matrix must be 2-D")
        n_rows, n_cols = values.shape
        participants = tuple(range(n_rows)) if participants is None else tuple(participants)
        statements = tuple(range(n_cols)) if statements is None else tuple(statements)
        if len(participants) != n_rows or len(statements) != n_cols:
            raise VoteError("ids do not match the matrix shape")
        seen = ~np.isnan(values)
        if not np.isin(values[seen], (AGREE, PASS, DISAGREE)).all():
            raise VoteError("a vote must be 1, 0 or -1")
        rows, cols = np.nonzero(seen)
        codes = sp.csr_matrix(((values[rows, cols] + _OFFSET).astype(np.int8), (rows, cols)),
                              shape=values.shape, dtype=np.int8)
        return cls(participants, statements, codes)

    # -- views -------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        return self.codes.shape

    @property
    def n_votes(self) -> int:
        return int(self.codes.nnz)

    def votes_per_participant(self) -> np.ndarray:
        """Number of statements each participant voted on (passes included)."""
        return np.diff(self.codes.indptr)

    def votes_per_statement(self) -> np.ndarray:
        """Number of participants who voted on each statement (passes included)."""
        return np.bincount(self.codes.indices, minlength=self.shape[1])

    # The views below copy the index arrays: a matrix built on ``codes.indices`` would share
    # them, and an in-place operation on it (``eliminate_zeros``) would corrupt ``codes``.

    def counts(self, vote: int) -> sp.csr_matrix:
        """0/1 CSR matrix (float) of where participants voted ``vote``."""
        c = self.codes
        m = sp.csr_matrix(((c.data == vote + _OFFSET).astype(float), c.indices.copy(), c.indptr.copy()),
                          shape=c.shape)
        m.eliminate_zeros()
        return m

    def seen(self) -> sp.csr_matrix:
        """0/1 CSR matrix (float) of where participants voted at all."""
        c = self.codes
        return sp.csr_matrix((np.ones(c.nnz), c.indices.copy(), c.indptr.copy()), shape=c.shape)

    def values(self) -> sp.csr_matrix:
        """CSR matrix (float) of the votes; a pass is stored as an explicit 0 (do not prune)."""
        c = self.codes
        return sp.csr_matrix((c.data.astype(float) - _OFFSET, c.indices.copy(), c.indptr.copy()),
                             shape=c.shape)

    def to_dense(self) -> np.ndarray:
        """Dense float array with NaN where not seen (for small matrices and tests)."""
        out = np.full(self.shape, np.nan)
        c = self.codes.tocoo()
        out[c.row, c.col] = c.data.astype(float) - _OFFSET
        return out


def _index(ids: Sequence, universe: Sequence | None, what: str) -> tuple[np.ndarray, list]:
    """Row/column numbers of ``ids`` in ``universe`` (default: the ids in first-seen order)."""
    keys = _array(ids)
    if universe is None:
        if keys is not None and len(keys):
            # vectorised first-seen order: unique ids, ranked by where each first appears
            uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            rank = np.empty(len(uniq), np.int64)
            rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
            return rank[inverse.ravel()], uniq[np.argsort(first, kind="stable")].tolist()
        position: dict = {}
        numbers = np.fromiter((position.setdefault(i, len(position)) for i in ids), dtype=np.int64,
                              count=len(ids))
        return numbers, list(position)
    universe = list(universe)
    position = {i: n for n, i in enumerate(universe)}
    if len(position) != len(universe):
        raise VoteError(f"duplicate {what} ids")
    table = _array(universe)
    if keys is not None and table is not None and len(table) and keys.dtype.kind == table.dtype.kind:
        order = np.argsort(table, kind="stable")
        at = np.minimum(np.searchsorted(table[order], keys), len(table) - 1)
        numbers = order[at]
        unknown = table[numbers] != keys
        if not unknown.any():
            return numbers.astype(np.int64), universe
        missing = keys[np.argmax(unknown)].item()
    else:
        try:
            return np.fromiter((position[i] for i in ids), dtype=np.int64, count=len(ids)), universe
        except KeyError as exc:
            missing = exc.args[0]
    preposition = "by" if what == "participant" else "on"
    raise VoteError(f"a vote {preposition} an unknown {what} {missing!r}")


def _array(ids) -> np.ndarray | None:
    """``ids`` as a NumPy array of ints or strings, or None when they are anything else."""
    try:
        arr = np.asarray(ids)
    except (ValueError, TypeError):
        return None
    if arr.ndim != 1 or arr.dtype.kind not in "iuU":
        return None
    if arr.dtype.kind == "U" and not isinstance(ids, np.ndarray) and not all(type(i) is str for i in ids):
        return None  # NumPy would have turned 1 and "1" into the same id
    return arr
