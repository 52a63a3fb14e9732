"""The opinion map: where participants stand, which groups they form, what each group says.

Pure NumPy / SciPy / scikit-learn; imports nothing of ours but :mod:`consultations.matrix` and
:mod:`consultations.repness`. The one door is :func:`opinion_map`.

What it does, following Pol.is's own math (compdemocracy/polis, ``math/src/polismath/math/``:
``conversation.clj`` for the pipeline, ``pca.clj``, ``clusters.clj``, ``repness.clj``):

1. **Matrix.** Participants × statements, 1 agree / -1 disagree / 0 pass, missing = not seen.
   A column exists for every statement somebody voted on (Pol.is's rating matrix). Moderated-out
   statements (``excluded``) are *zeroed*, as Pol.is's ``zero-out-columns`` does: everyone
   counts as having passed on them, so they carry no direction, but they still count in the
   sparsity scaling of step 3 (Pol.is's behaviour, kept because it reproduces its groups on
   the real conversations: ARI 0.88 on 15-per-hour Seattle and 0.96 on Canadian electoral
   reform with it, 0.58 and 0.84 with the columns dropped instead).
2. **PCA** to two components of the matrix with each missing vote replaced by its statement's
   mean (``small-conv-update-graph`` ``:mat``), over *every* participant who voted, as Pol.is
   does. Centering makes the imputed cells exactly 0, so the centred matrix is as sparse as the
   votes and its two leading right singular vectors are found with ARPACK (dense LAPACK for
   small matrices) in milliseconds. Pol.is's power iteration converges to the same vectors.
   Signs are fixed so that agreeing with more statements moves a participant right / up.
3. **Projection** of each participant from the votes they cast only, scaled by
   sqrt(statements / votes cast) (``sparsity-aware-project-ptpt``): someone who saw few
   statements is not pulled into the centre by the imputed means.
4. **Who is placed**: participants who voted on at least ``min(min_votes, statements)``
   statements, 7 by default (``:in-conv``). Pol.is also tops the set up to 15 with the most
   active voters while a conversation is tiny; we do not, so the rule stays one sentence.
5. **Groups**, Pol.is's two levels: k-means with 100 *base clusters* on the placed
   participants' positions (each distinct position its own base cluster when there are fewer),
   then weighted k-means of the base-cluster centres for k = 2 … min(5, 2 + bases // 12)
   (``max-k-fn``), k chosen by the silhouette of the base clusters (``clusters/silhouette``).
   Clustering the base centres rather than the people is what reproduces Pol.is's k: on
   brexit-consensus people-level k-means with the people's silhouette picks 3 groups, Pol.is
   and the two-level method 2. Pol.is starts each k-means from its previous run and changes k
   only after four runs agree (``group-k-smoother``); a single computation has no history, so
   we start from k-means++ with fixed seeds (many starts, deterministic) and stand in for the
   smoother with a tie rule: silhouettes within 0.01 count as equal and the smaller k wins.
   (On london.youth.policing k = 3 and 4 score 0.482 and 0.483; Pol.is found 3.)
   Groups are numbered by size, largest first.
6. **Representative statements** per group and **consensus** statements: see
   :mod:`consultations.repness`.

How close this comes to Pol.is is measured by ``benchmarks/opinion_map.py`` on the five
published conversations in ``../shared/polis`` (see ``docs/consultations.md``). BLAS and
OpenMP are held to one thread while the map is computed (``threadpoolctl``): the servers share
two cores and a busy core makes multi-threaded BLAS slower, not faster.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from .matrix import VoteMatrix
from .repness import ConsensusStatement, RepresentativeStatement, consensus, representative

MIN_VOTES = 7  # Pol.is :in-conv
BASE_CLUSTERS = 100  # Pol.is :base-k
MAX_GROUPS = 5  # Pol.is :max-k
SILHOUETTE_TIE = 0.01
_DENSE_SVD_MAX = 50  # below this many rows or columns, plain LAPACK


@dataclass(frozen=True)
class Point:
    """A participant on the map; ``group`` is None for one who voted on too few statements."""

    participant: object
    x: float
    y: float
    votes: int
    group: int | None


@dataclass(frozen=True)
class OpinionMap:
    """The result: plain data for pages, tables, SVG and JSON.

    Attributes
    ----------
    k : int
        Number of groups (0 when nobody voted enough, 1 when everyone placed stands at one point).
    groups : dict
        Participant id → group number (0 … k-1, 0 the largest) for every placed participant.
    points : tuple of Point
        Every participant who voted, with map coordinates; unplaced ones have ``group=None``.
    group_sizes, group_centers : tuple
        Per group: number of participants, mean (x, y).
    representative : tuple of tuples of RepresentativeStatement
        Per group, at most five statements, agreements first.
    consensus : tuple of ConsensusStatement
        Agreed by a majority of every group (then rejected by every group), at most 5 + 5.
    silhouettes : dict
        k → silhouette of the base clusters, for every k tried.
    explained_variance : tuple of two floats
        Share of the (imputed, centred) vote variance along x and along y.
    n_participants, n_placed, n_statements, min_votes : int
        Participants who voted, participants placed, statements with votes (moderated-out
        included, as Pol.is counts them), the vote threshold actually applied.
    excluded : tuple
        The moderated-out statements that were zeroed.
    """

    k: int
    groups: dict
    points: tuple[Point, ...]
    group_sizes: tuple[int, ...]
    group_centers: tuple[tuple[float, float], ...]
    representative: tuple[tuple[RepresentativeStatement, ...], ...]
    consensus: tuple[ConsensusStatement, ...]
    silhouettes: dict
    explained_variance: tuple[float, float]
    n_participants: int
    n_placed: int
    n_statements: int
    min_votes: int
    excluded: tuple = field(default=())

    def to_dict(self) -> dict:
        """JSON-ready dict (participant ids become strings where they are keys)."""
        return {
            "k": self.k,
            "groups": {str(p): g for p, g in self.groups.items()},
            "points": [{"participant": p.participant, "x": p.x, "y": p.y, "votes": p.votes,
                        "group": p.group} for p in self.points],
            "group_sizes": list(self.group_sizes),
            "group_centers": [list(c) for c in self.group_centers],
            "representative": [[r.to_dict() for r in group] for group in self.representative],
            "consensus": [c.to_dict() for c in self.consensus],
            "silhouettes": {str(k): s for k, s in self.silhouettes.items()},
            "explained_variance": list(self.explained_variance),
            "n_participants": self.n_participants, "n_placed": self.n_placed,
            "n_statements": self.n_statements, "min_votes": self.min_votes,
            "excluded": list(self.excluded),
        }


def opinion_map(matrix: VoteMatrix, *, excluded=(), min_votes: int = MIN_VOTES,
                seed: int = 0) -> OpinionMap:
    """Compute the opinion map of a consultation.

    Parameters
    ----------
    matrix : VoteMatrix
        The votes (see :class:`consultations.matrix.VoteMatrix`).
    excluded : iterable
        Ids of moderated-out statements: no influence on positions, groups or statements shown.
    min_votes : int
        Votes a participant needs to be placed in a group (Pol.is: 7; fewer statements than
        that: all of them).
    seed : int
        Seed of the k-means starts; the same input and seed always give the same map.

    Returns
    -------
    OpinionMap
    """
    with threadpool_limits(limits=1):
        return _opinion_map(matrix, frozenset(excluded), int(min_votes), int(seed))


def _opinion_map(m: VoteMatrix, excluded: frozenset, min_votes: int, seed: int) -> OpinionMap:
    per_statement = m.votes_per_statement()
    voted = per_statement > 0
    is_excluded = np.fromiter((s in excluded for s in m.statements), bool, count=len(m.statements))
    active = np.flatnonzero(voted & ~is_excluded)
    n_columns = int(voted.sum())
    per_participant = m.votes_per_participant()
    rows = np.flatnonzero(per_participant > 0)
    threshold = min(min_votes, n_columns)
    placed = rows[per_participant[rows] >= max(threshold, 1)]

    coords, explained = _project(m, rows, active, n_columns, int((voted & is_excluded).sum()))
    placed_xy = coords[np.searchsorted(rows, placed)]
    k, base_labels, silhouettes = _groups(placed_xy, seed)
    # Number groups by size, largest first (ties: by centre x, then y), for stable labels.
    order = sorted(range(k), key=lambda g: (-(base_labels == g).sum(),
                                            *placed_xy[base_labels == g].mean(0).round(9)))
    relabel = np.empty(max(k, 1), int)
    relabel[order] = np.arange(k)
    labels = relabel[base_labels] if k else base_labels

    group_of = dict(zip(placed.tolist(), labels.tolist()))
    points = tuple(Point(m.participants[i], float(x), float(y), int(per_participant[i]), group_of.get(i))
                   for i, (x, y) in zip(rows.tolist(), coords.tolist()))
    sizes = tuple(int((labels == g).sum()) for g in range(k))
    centers = tuple(tuple(float(v) for v in placed_xy[labels == g].mean(0)) for g in range(k))

    rep, cons = (), ()
    if k >= 1 and len(active):
        agree, disagree, seen = _group_counts(m, placed, labels, k, active)
        statements = [m.statements[j] for j in active]
        if k >= 2:
            rep = tuple(tuple(r) for r in representative(agree, disagree, seen, statements))
        cons = tuple(consensus(agree, disagree, seen, statements))
    return OpinionMap(
        k=k, groups={m.participants[i]: g for i, g in group_of.items()}, points=points,
        group_sizes=sizes, group_centers=centers, representative=rep, consensus=cons,
        silhouettes=silhouettes, explained_variance=explained,
        n_participants=len(rows), n_placed=len(placed), n_statements=n_columns, min_votes=threshold,
        excluded=tuple(s for s in m.statements if s in excluded))


def _project(m: VoteMatrix, rows, active, n_columns: int, n_zeroed: int):
    """Participants' 2-D positions (rows × 2) and the explained variance shares."""
    coords = np.zeros((len(rows), 2))
    if len(rows) == 0 or len(active) == 0:
        return coords, (0.0, 0.0)
    values = m.values()[rows][:, active].tocsr()
    seen = np.diff(values.indptr)
    means = np.asarray(values.sum(0)).ravel() / np.maximum(np.bincount(values.indices, minlength=len(active)), 1)
    centred = values.copy()
    centred.data -= means[centred.indices]  # imputed cells (the mean) are exactly 0 after centring
    comps, singular = _top_components(centred)
    total = float(centred.data @ centred.data)
    explained = tuple(float(s * s / total) if total > 0 else 0.0 for s in singular)
    # Pol.is counts a zeroed (moderated-out) statement as voted by everyone: seen + n_zeroed.
    scale = np.sqrt(n_columns / np.maximum(seen + n_zeroed, 1))
    coords = np.asarray(centred @ comps.T) * scale[:, None]
    return coords, explained


def _top_components(centred: sp.csr_matrix):
    """The two leading right singular vectors (2 × columns, zero rows if the rank is lower) and
    their singular values, signs fixed so that loadings sum to a positive number."""
    n_rows, n_cols = centred.shape
    if min(n_rows, n_cols) <= _DENSE_SVD_MAX:
        _, s, vt = np.linalg.svd(centred.toarray(), full_matrices=False)
    else:
        _, s, vt = svds(centred, k=2, v0=np.ones(min(n_rows, n_cols)), solver="arpack", tol=1e-9)
    order = np.argsort(-s)[:2]
    s, vt = s[order], vt[order]
    comps = np.zeros((2, n_cols))
    singular = [0.0, 0.0]
    for i in range(len(s)):
        if s[i] <= 1e-12 * max(s[0], 1.0):
            continue
        v = vt[i]
        total = v.sum()
        sign = np.sign(total) if abs(total) > 1e-9 else np.sign(v[np.argmax(np.abs(v))])
        comps[i], singular[i] = v * (sign or 1.0), float(s[i])
    return comps, tuple(singular)


def _groups(xy: np.ndarray, seed: int):
    """Pol.is's two-level clustering of the placed participants' positions.

    Returns (k, label per participant, {k: silhouette})."""
    n = len(xy)
    if n == 0:
        return 0, np.zeros(0, int), {}
    distinct, inverse = np.unique(xy.round(12), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    if len(distinct) <= BASE_CLUSTERS:
        centres, base = distinct, inverse
    else:
        km = KMeans(BASE_CLUSTERS, n_init=3, random_state=seed).fit(xy)
        centres, base = km.cluster_centers_, km.labels_
    weights = np.bincount(base, minlength=len(centres)).astype(float)
    keep = weights > 0
    centres, weights = centres[keep], weights[keep]
    base = (np.cumsum(keep) - 1)[base]
    if len(centres) == 1:
        return 1, np.zeros(n, int), {}
    max_k = min(MAX_GROUPS, 2 + len(centres) // 12, len(centres))
    distances = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1))
    best = None
    silhouettes = {}
    for k in range(2, max_k + 1):
        labels = KMeans(k, n_init=20, random_state=seed).fit(centres, sample_weight=weights).labels_
        score = _silhouette(distances, labels)
        silhouettes[k] = score
        if best is None or score > best[0] + SILHOUETTE_TIE:
            best = (score, k, labels)
    _, k, labels = best
    return k, labels[base], silhouettes


def _silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over the base clusters, unweighted, 0 for a singleton (clusters.clj)."""
    groups = np.unique(labels)
    mean_to = np.stack([distances[:, labels == g].sum(1) for g in groups], 1)
    sizes = np.array([(labels == g).sum() for g in groups])
    own = np.searchsorted(groups, labels)
    own_size = sizes[own]
    a = mean_to[np.arange(len(labels)), own] / np.maximum(own_size - 1, 1)
    other = mean_to / sizes
    other[np.arange(len(labels)), own] = np.inf
    b = other.min(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own_size > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def _group_counts(m: VoteMatrix, placed, labels, k: int, active):
    """(agree, disagree, seen) count arrays of shape (k, len(active)) over placed participants."""
    membership = sp.csr_matrix((np.ones(len(placed)), (labels, placed)), shape=(k, m.shape[0]))
    cols = lambda x: np.asarray((membership @ x[:, active]).todense())  # noqa: E731
    return cols(m.counts(1)), cols(m.counts(-1)), cols(m.seen())
