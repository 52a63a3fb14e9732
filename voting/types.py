"""Core data types: projects, instances and ballot profiles.

Ballots are never held as one Python object per vote: a :class:`Profile` keeps a
``scipy.sparse`` CSR matrix (voters x projects) of ballot values plus NumPy arrays
for voter ids, weights and any optional voter columns.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal", "scoring")
BORDA_VARIANTS = ("zero-based", "one-based")


def to_fraction(value) -> Fraction:
    """Convert an int, str, Decimal or Fraction into an exact :class:`Fraction`.

    Floats are refused on purpose: money must never be rounded silently.
    Strings may use a decimal comma (``"12,50"``) as some pabulib files do.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text:
            raise ValueError("empty amount")
        return Fraction(Decimal(text)) if "/" not in text else Fraction(text)
    if isinstance(value, float):
        if value.is_integer():
            return Fraction(int(value))
        raise TypeError(f"refusing to convert float {value!r} to money; pass a str or Fraction")
    if isinstance(value, np.integer):
        return Fraction(int(value))
    raise TypeError(f"cannot read an amount from {value!r}")


def format_amount(value: Fraction) -> str:
    """Format an exact amount the way pabulib writes it (``12``, ``2828094.61``)."""
    value = to_fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:  # not a finite decimal: keep it exact as a fraction
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


@dataclass(frozen=True)
class Project:
    """A project on the ballot.

    Parameters
    ----------
    id : str
        Identifier, unique within the instance (pabulib ``project_id``).
    cost : Fraction
        Exact cost (ints, decimal strings and Fractions are accepted).
    name : str
        Human readable name.
    category : str, optional
        Category or categories as written in pabulib (comma separated).
    area : str, optional
        District / neighbourhood the project belongs to.
    extra : Mapping[str, str]
        Any other pabulib column, kept verbatim so files round-trip.
    """

    id: str
    cost: Fraction
    name: str = ""
    category: str | None = None
    area: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "cost", to_fraction(self.cost))
        if self.cost < 0:
            raise ValueError(f"project {self.id}: cost must not be negative")
        object.__setattr__(self, "extra", dict(self.extra))
        for key in ("category", "area"):     # ("playgrounds", "sport") -> "playgrounds,sport"
            value = getattr(self, key)
            if isinstance(value, (list, tuple, set, frozenset)):
                object.__setattr__(self, key, ",".join(sorted(map(str, value))) if isinstance(value, (set, frozenset))
                                   else ",".join(map(str, value)))


@dataclass
class Instance:
    """Projects, budget limit and descriptive metadata of one vote.

    Parameters
    ----------
    projects : sequence of Project
        In file order; ids must be unique.
    budget : Fraction
        The budget limit.
    meta : dict[str, str]
        pabulib META entries (``vote_type``, ``min_length``, ...), kept verbatim.
    project_columns : list[str], optional
        Column order used when writing pabulib (defaults to id, cost, name).
    """

    projects: Sequence[Project]
    budget: Fraction
    meta: dict = field(default_factory=dict)
    project_columns: list = field(default_factory=list)

    def __post_init__(self):
        self.projects = tuple(self.projects)
        self.budget = to_fraction(self.budget)
        self.index = {p.id: i for i, p in enumerate(self.projects)}
        if len(self.index) != len(self.projects):
            seen = set()
            dup = next(p.id for p in self.projects if p.id in seen or seen.add(p.id))
            raise ValueError(f"project id {dup!r} appears twice")
        if not self.project_columns:
            self.project_columns = ["project_id", "cost", "name"]
        self.costs = [p.cost for p in self.projects]
        self.cost_array = np.array([float(c) for c in self.costs], dtype=np.float64)
        self.ids = [p.id for p in self.projects]

    def __len__(self) -> int:
        return len(self.projects)

    def project(self, project_id: str) -> Project:
        """Return the project with this id (KeyError if unknown)."""
        return self.projects[self.index[str(project_id)]]

    def total_cost(self, project_ids: Iterable[str]) -> Fraction:
        """Exact total cost of the given project ids."""
        return sum((self.costs[self.index[i]] for i in project_ids), Fraction(0))


@dataclass
class Profile:
    """The ballots of one vote, held as arrays.

    Attributes
    ----------
    vote_type : str
        One of ``approval``, ``choose-1``, ``cumulative``, ``ordinal``, ``scoring``.
    matrix : scipy.sparse.csr_matrix
        ``n_voters x n_projects`` ballot values: 1 for approval, points or scores for
        cumulative / scoring, and the rank position (1 = first choice) for ordinal.
    voter_ids : numpy.ndarray
        Voter identifiers as strings.
    weights : numpy.ndarray
        Voter weights (1.0 everywhere for ordinary elections).
    columns : dict[str, numpy.ndarray]
        Optional per-voter columns (age, sex, voting_method, ...) as string arrays.
    """

    vote_type: str
    matrix: sp.csr_matrix
    voter_ids: np.ndarray
    weights: np.ndarray | None = None
    columns: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.vote_type not in VOTE_TYPES:
            raise ValueError(f"unknown vote type {self.vote_type!r}; known: {', '.join(VOTE_TYPES)}")
        self.matrix = sp.csr_matrix(self.matrix, dtype=np.float64)
        self.matrix.sort_indices()
        self.voter_ids = np.asarray(self.voter_ids).astype(str)
        n = self.matrix.shape[0]
        if len(self.voter_ids) != n:
            raise ValueError("one voter id per ballot is needed")
        self.weights = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        self.columns = {k: np.asarray(v).astype(str) for k, v in self.columns.items()}

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_ballots(cls, instance: Instance, vote_type: str, ballots: Sequence,
                     voter_ids: Sequence | None = None, weights: Sequence | None = None,
                     columns: Mapping[str, Sequence] | None = None) -> Profile:
        """Build a profile from plain Python ballots (e.g. database rows).

        Parameters
        ----------
        instance : Instance
        vote_type : str
        ballots : sequence
            Approval / choose-1: iterables of project ids. Ordinal: ordered lists of ids,
            first choice first. Cumulative / scoring: ``{project_id: points}`` mappings.
        voter_ids, weights, columns : optional
            Voter ids default to ``"1".."n"``.

        Raises
        ------
        KeyError
            If a ballot names a project that is not in the instance.
        ValueError
            If a ballot names a project twice.
        """
        rows, cols, vals = [], [], []
        for r, ballot in enumerate(ballots):
            if isinstance(ballot, Mapping):
                items = [(str(k), to_fraction(v) if not isinstance(v, float) else v) for k, v in ballot.items()]
            elif vote_type == "ordinal":
                items = [(str(k), pos) for pos, k in enumerate(ballot, start=1)]
            else:
                items = [(str(k), 1) for k in ballot]
            seen = set()
            for pid, val in items:
                if pid in seen:
                    raise ValueError(f"ballot {r + 1}: project {pid} appears twice")
                seen.add(pid)
                rows.append(r)
                cols.append(instance.index[pid])
                vals.append(float(val))
        n = len(ballots)
        matrix = sp.csr_matrix((np.array(vals, dtype=np.float64), (np.array(rows, dtype=np.int64),
                                np.array(cols, dtype=np.int64))), shape=(n, len(instance)))
        ids = list(map(str, voter_ids)) if voter_ids is not None else [str(i + 1) for i in range(n)]
        return cls(vote_type, matrix, np.array(ids, dtype=str),
                   None if weights is None else np.asarray(weights, dtype=np.float64),
                   dict(columns or {}))

    # -- views -------------------------------------------------------------------------
    @property
    def n_voters(self) -> int:
        return self.matrix.shape[0]

    @property
    def is_approval(self) -> bool:
        return self.vote_type in ("approval", "choose-1")

    def ballot(self, i: int):
        """Ballot ``i`` as plain Python: list of indices (approval, ordinal in rank order)
        or ``{index: value}`` (cumulative, scoring)."""
        start, end = self.matrix.indptr[i], self.matrix.indptr[i + 1]
        idx = self.matrix.indices[start:end]
        vals = self.matrix.data[start:end]
        if self.vote_type == "ordinal":
            return [int(j) for j in idx[np.argsort(vals, kind="stable")]]
        if self.is_approval:
            return [int(j) for j in idx]
        return {int(j): v for j, v in zip(idx, vals)}

    def ballot_lengths(self) -> np.ndarray:
        """Number of projects on every ballot."""
        return np.diff(self.matrix.indptr)

    def utility(self, kind: str, instance: Instance, borda: str = "zero-based") -> sp.csr_matrix:
        """Per-voter utility of every project as a CSR matrix without zero entries.

        Parameters
        ----------
        kind : {"cardinality", "cost", "score"}
            ``cardinality``: 1 for every project on the ballot (ranked = approved; for points
            and scores, a positive value);
            ``cost``: the project's cost for every such project;
            ``score``: the voter's own points / scores, 1 for approval, Borda for ranks.
        borda : {"zero-based", "one-based"}
            Borda for a ranking of length k: ``zero-based`` gives k-1 ... 0 (pabutools),
            ``one-based`` gives k ... 1 (what a city usually expects).
        """
        m = self.matrix
        # For points and scores only a positive value counts as "on the ballot".
        chosen = m.data > 0 if self.vote_type in ("cumulative", "scoring") else np.ones(len(m.data), bool)
        if kind == "cardinality" or (kind == "score" and self.is_approval):
            data = chosen.astype(np.float64)
        elif kind == "cost":
            data = instance.cost_array[m.indices] * chosen
        elif kind == "score":
            if self.vote_type == "ordinal":
                if borda not in BORDA_VARIANTS:
                    raise ValueError(f"unknown Borda variant {borda!r}; known: {', '.join(BORDA_VARIANTS)}")
                lengths = np.repeat(np.diff(m.indptr), np.diff(m.indptr)).astype(np.float64)
                data = lengths - m.data + (1.0 if borda == "one-based" else 0.0)
            else:
                data = m.data.copy()
        else:
            raise ValueError(f"unknown utility {kind!r}; known: cardinality, cost, score")
        out = sp.csr_matrix((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
        out.eliminate_zeros()
        return out

    def anonymized(self, keep_columns: Sequence[str] = ()) -> Profile:
        """The same ballots with voter ids ``1..n`` and only the listed voter columns kept,
        e.g. for publishing with :func:`voting.write_pabulib`."""
        out = Profile(self.vote_type, self.matrix.copy(), np.array([str(i + 1) for i in range(self.n_voters)]),
                      self.weights.copy(), {k: self.columns[k] for k in keep_columns if k in self.columns})
        return out
