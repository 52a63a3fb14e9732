"""Representative and consensus statements, with Pol.is's counts and tests.

Follows compdemocracy/polis ``math/src/polismath/math/repness.clj`` (``comment-stats``,
``add-comparitive-stats``, ``select-rep-comments``, ``select-consensus-comments``) and
``math/stats.clj`` (``prop-test``, ``two-prop-test``, ``z-sig-90?``), and
``conversation.clj`` ``:group-aware-consensus``. Pol.is stores agree as -1 internally and
counts ``na`` on -1; our matrix stores agree as +1, so ``na`` counts +1 here: the same votes.

All counts are over the participants placed in groups. ``seen`` counts passes too (Pol.is's
``ns``), so "agree" probabilities are shares of everyone who saw the statement.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_90 = 1.2816  # one-sided 90 % (stats.clj z-sig-90?)
MAX_REPRESENTATIVE = 5  # select-rep-comments takes the top 5
MAX_CONSENSUS = 5  # select-consensus-comments takes the top 5 per direction


@dataclass(frozen=True)
class VoteCounts:
    """Votes on one statement by a set of participants; ``seen`` = agree + disagree + passed."""

    agree: int
    disagree: int
    passed: int
    seen: int

    def to_dict(self) -> dict:
        return {"agree": self.agree, "disagree": self.disagree, "passed": self.passed, "seen": self.seen}


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement a group agrees (or disagrees) with far more than the other groups do.

    ``p_success`` = (n + 1) / (seen + 2) in the group, where n counts the votes in ``direction``;
    ``p_test`` its one-proportion z; ``repness`` the ratio of that probability to the same one in
    the other groups, and ``repness_test`` the two-proportion z of the difference.
    ``best_agree`` marks the statement Pol.is puts first as what the group agrees on.
    """

    statement: object
    direction: str
    group: VoteCounts
    rest: VoteCounts
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False

    def to_dict(self) -> dict:
        return {"statement": self.statement, "direction": self.direction,
                "group": self.group.to_dict(), "rest": self.rest.to_dict(),
                "p_success": self.p_success, "p_test": self.p_test, "repness": self.repness,
                "repness_test": self.repness_test, "best_agree": self.best_agree}


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement that a majority of every group agrees (or disagrees) with.

    ``total`` counts everyone placed in a group, ``groups`` each group in order; ``p_success`` /
    ``p_test`` are over ``total``; ``score`` is Pol.is's group-aware consensus, the product over
    groups of (n + 1) / (seen + 2).
    """

    statement: object
    direction: str
    total: VoteCounts
    groups: tuple[VoteCounts, ...]
    p_success: float
    p_test: float
    score: float

    def to_dict(self) -> dict:
        return {"statement": self.statement, "direction": self.direction,
                "total": self.total.to_dict(), "groups": [g.to_dict() for g in self.groups],
                "p_success": self.p_success, "p_test": self.p_test, "score": self.score}


def prop_test(successes, n):
    """One-proportion z against 1/2 with a +1 prior (stats.clj ``prop-test``)."""
    successes, n = np.asarray(successes, float) + 1, np.asarray(n, float) + 1
    return 2 * np.sqrt(n) * (successes / n - 0.5)


def two_prop_test(succ_in, succ_out, n_in, n_out):
    """Two-proportion z of "in" over "out" with +1 priors (stats.clj ``two-prop-test``);
    0 where the pooled proportion is 1 (Pol.is's guard)."""
    succ_in, succ_out = np.asarray(succ_in, float) + 1, np.asarray(succ_out, float) + 1
    n_in, n_out = np.asarray(n_in, float) + 1, np.asarray(n_out, float) + 1
    pooled = (succ_in + succ_out) / (n_in + n_out)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n_in + 1 / n_out))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (succ_in / n_in - succ_out / n_out) / spread
    return np.where(pooled >= 1, 0.0, np.nan_to_num(z))


def _counts(a, d, s, j) -> VoteCounts:
    return VoteCounts(int(a[j]), int(d[j]), int(s[j] - a[j] - d[j]), int(s[j]))


def representative(agree, disagree, seen, statements) -> list[list[RepresentativeStatement]]:
    """Representative statements of each group.

    ``agree``, ``disagree``, ``seen``: (k, n_statements) count arrays per group, over the
    statements that may be shown (moderated-out ones already left out). Returns one list per
    group, best first, at most five, agreements before disagreements (``select-rep-comments``).
    """
    k = agree.shape[0]
    out = []
    for g in range(k):
        na, nd, ns = agree[g], disagree[g], seen[g]
        ra_n, rd_n, rs_n = (agree.sum(0) - na, disagree.sum(0) - nd, seen.sum(0) - ns)
        stats = {
            "pa": (na + 1) / (ns + 2), "pd": (nd + 1) / (ns + 2),
            "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
            "ra": (na + 1) / (ns + 2) / ((ra_n + 1) / (rs_n + 2)),
            "rd": (nd + 1) / (ns + 2) / ((rd_n + 1) / (rs_n + 2)),
            "rat": two_prop_test(na, ra_n, ns, rs_n), "rdt": two_prop_test(nd, rd_n, ns, rs_n),
        }
        passes = ((stats["rat"] > Z_90) & (stats["pat"] > Z_90)) | ((stats["rdt"] > Z_90) & (stats["pdt"] > Z_90))

        def final(j, best_agree=False, _g=(na, nd, ns, ra_n, rd_n, rs_n), _s=stats):
            agrees = _s["rat"][j] > _s["rdt"][j]
            key = ("pa", "pat", "ra", "rat") if agrees else ("pd", "pdt", "rd", "rdt")
            return RepresentativeStatement(
                statements[j], "agree" if agrees else "disagree",
                _counts(_g[0], _g[1], _g[2], j), _counts(_g[3], _g[4], _g[5], j),
                *(float(_s[name][j]) for name in key), best_agree=best_agree)

        best_agree = _best_agree(na, nd, stats)
        sufficient = [j for j in np.flatnonzero(passes) if j != best_agree]
        if not passes.any():
            if best_agree is not None:
                out.append([final(best_agree, True)])
            elif len(na):
                # beats-best-by-test?: the largest of the two repness z's (first on ties)
                out.append([final(int(np.argmax(np.maximum(stats["rat"], stats["rdt"]))))])
            else:
                out.append([])
            continue
        chosen = [final(j) for j in sufficient]
        chosen.sort(key=lambda r: -(r.repness * r.repness_test * r.p_success * r.p_test))
        if best_agree is not None:
            chosen.insert(0, final(best_agree, True))
        chosen = chosen[:MAX_REPRESENTATIVE]
        out.append([r for r in chosen if r.direction == "agree"] + [r for r in chosen if r.direction == "disagree"])
    return out


def _best_agree(na, nd, s):
    """Pol.is's ``beats-best-agr?``, run over the statements in order: the one put first as what
    the group agrees on. None when no statement qualifies."""
    best = None
    for j in range(len(na)):
        if na[j] == 0 and nd[j] == 0:
            continue
        if best is not None and s["ra"][best] > 1.0:
            take = (s["ra"][j] * s["rat"][j] * s["pa"][j] * s["pat"][j]
                    > s["ra"][best] * s["rat"][best] * s["pa"][best] * s["pat"][best])
        elif best is not None:
            take = s["pa"][j] * s["pat"][j] > s["pa"][best] * s["pat"][best]
        else:
            take = s["pat"][j] > Z_90 or (s["ra"][j] > 1.0 and s["pa"][j] > 0.5)
        if take:
            best = j
    return best


def consensus(agree, disagree, seen, statements) -> list[ConsensusStatement]:
    """Statements a majority of *every* group agrees with, then those every group rejects.

    A statement qualifies in a direction when in each group (n + 1) / (seen + 2) > 1/2 and,
    over everyone in a group, the share is significant (``prop-test`` z > 1.2816, as in
    ``select-consensus-comments``). Ranked by Pol.is's group-aware consensus (the product of the
    groups' probabilities), at most five per direction.
    """
    out = []
    total_s = seen.sum(0)
    for direction, votes in (("agree", agree), ("disagree", disagree)):
        p_groups = (votes + 1) / (seen + 2)
        total = votes.sum(0)
        p_total = (total + 1) / (total_s + 2)
        z_total = prop_test(total, total_s)
        score = p_groups.prod(0)
        ok = (p_groups > 0.5).all(0) & (z_total > Z_90)
        ranked = sorted(np.flatnonzero(ok), key=lambda j: (-score[j], j))[:MAX_CONSENSUS]
        for j in ranked:
            out.append(ConsensusStatement(
                statements[j], direction,
                _counts(agree.sum(0), disagree.sum(0), total_s, j),
                tuple(_counts(agree[g], disagree[g], seen[g], j) for g in range(seen.shape[0])),
                float(p_total[j]), float(z_total[j]), float(score[j])))
    return out
