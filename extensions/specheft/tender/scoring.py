"""The comparison of offers: a weighted scoring (Nutzwertanalyse) with knock-outs.

Each requirement weighs its priority's weight times its area's factor; an answer earns
the points of its fulfilment code; a bidder's score is the weighted points in percent
of the best possible. A must requirement answered with a knock-out code, or not
answered, knocks the bidder out. An answer given to an earlier text of a requirement
(its row fingerprint differs) counts as no answer: the bidder has not answered the
requirement as it stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from specheft.tender.config import TenderConfig
from specheft.tender.model import Asked, Offer


@dataclass(frozen=True)
class Part:
    """Weighted points reached and possible (of the whole offer or of one area)."""

    points: float = 0.0
    possible: float = 0.0

    @property
    def score(self) -> float:
        """Percent of the possible points (0 when nothing can be reached)."""
        return round(100 * self.points / self.possible, 1) if self.possible else 0.0

    def plus(self, points: float, possible: float) -> Part:
        return Part(self.points + points, self.possible + possible)


@dataclass
class Result:
    vendor: str
    total: Part = field(default_factory=Part)
    areas: dict[str, Part] = field(default_factory=dict)
    effort: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    knockouts: list[tuple[str, str]] = field(default_factory=list)
    """(requirement id, reason) for every must requirement that knocks the bidder out."""
    rank: int = 0

    @property
    def knocked_out(self) -> bool:
        return bool(self.knockouts)


def score_offer(asked: Sequence[Asked], offer: Offer, config: TenderConfig) -> Result:
    result = Result(offer.vendor)
    answers = offer.by_id()
    if offer.document:
        # asked the requirements of one document (every row of its workbook is an answer,
        # empty or not): the others were not asked, so they are neither missing nor knock-outs
        asked = [a for a in asked if a.id in answers]
    best = config.best
    for requirement in asked:
        weight = config.weight(requirement.priority, requirement.area)
        answer = answers.get(requirement.id)
        code = answer.code if answer is not None else ""
        # an empty row is no answer, whatever text it was asked against
        if code and answer is not None and answer.asked != requirement.fingerprint:
            result.stale.append(requirement.id)
            code = ""
        points = weight * config.points.get(code, 0) if code else 0.0
        result.total = result.total.plus(points, weight * best)
        area = requirement.area or "–"
        result.areas[area] = result.areas.get(area, Part()).plus(points, weight * best)
        if code:
            result.counts[code] += 1
            if answer is not None and answer.effort is not None:
                result.effort += answer.effort
        else:
            result.missing.append(requirement.id)
        if requirement.priority == "must":
            if requirement.id in result.stale:
                result.knockouts.append((requirement.id, "answer to an earlier text"))
            elif not code:
                result.knockouts.append((requirement.id, "no answer"))
            elif code in config.knockout:
                result.knockouts.append((requirement.id, code))
    result.areas = dict(sorted(result.areas.items()))
    return result


def compare(asked: Sequence[Asked], offers: Sequence[Offer], config: TenderConfig) -> list[Result]:
    """Every offer scored and ranked: bidders still in first by score (then lower effort,
    then name), knocked-out bidders after them in the same order."""
    results = [score_offer(asked, offer, config) for offer in offers]
    results.sort(key=lambda r: (r.knocked_out, -r.total.score, r.effort, r.vendor.casefold()))
    for rank, result in enumerate(results, 1):
        result.rank = rank
    return results


def as_json(results: Sequence[Result], config: TenderConfig) -> dict[str, object]:
    return {
        "codes": dict(config.points),
        "weights": dict(config.weights),
        "area_weights": dict(config.area_weights),
        "knockout": list(config.knockout),
        "bidders": [
            {
                "rank": r.rank,
                "vendor": r.vendor,
                "score": r.total.score,
                "points": round(r.total.points, 3),
                "possible": round(r.total.possible, 3),
                "knocked_out": r.knocked_out,
                "knockouts": [{"id": i, "reason": why} for i, why in r.knockouts],
                "effort": round(r.effort, 3),
                "counts": {code: r.counts.get(code, 0) for code in config.codes},
                "areas": {a: p.score for a, p in r.areas.items()},
                "missing": r.missing,
                "stale": r.stale,
            }
            for r in results
        ],
    }
