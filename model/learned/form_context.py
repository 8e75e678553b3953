"""The form linker's second pass: each candidate pair's first-pass score against its rivals'."""

from __future__ import annotations

from model.learned.form import Pair
from model.types import Word

# First-pass probability under which a pair is not scored again. On FUNSD (dev 25 forms, 11,744 pairs; train 149,
# 84,209) 18% of pairs reach it and no pair under it had a second-pass score at the link threshold
# (`/work/scratch/prune.py`): forms cost ~10% less to read, with the same pairs chosen. The second pass is fitted on
# these pairs only, as it is applied.
SECOND_PASS_FLOOR = 0.01


def second_rows(pairs: list[Pair], prior: list[float]) -> tuple[list[dict[str, float]], list[int]]:
    """The second pass's rows: the pairs the first pass gave a chance, with their context; and their indices."""
    keep = [i for i, s in enumerate(prior) if s >= SECOND_PASS_FLOOR]
    return with_context(pairs, prior, keep), keep


def spread(keep: list[int], scores: list[float], count: int) -> list[float]:
    """Second-pass scores back over all `count` pairs; a pair under the floor scores 0 and is never linked."""
    out = [0.0] * count
    for i, s in zip(keep, scores, strict=True):
        out[i] = s
    return out


def with_context(pairs: list[Pair], prior: list[float], only: list[int] | None = None) -> list[dict[str, float]]:
    """Each pair's features with how its first-pass score stands against its rivals: the pairs that read its key or
    its answer too, those whose answer shares a word with its answer, those that read its key's words as an answer and
    its answer's words as a key (a second pass learns which rival wins, as the greedy decode cannot). `only`: the
    pairs to describe (rivals are read among all of them)."""
    as_key: dict[int, list[int]] = {}
    as_value: dict[int, list[int]] = {}
    for i, p in enumerate(pairs):
        for w in p.key.words:
            as_key.setdefault(id(w), []).append(i)
        for w in p.value.words:
            as_value.setdefault(id(w), []).append(i)
    same_key: dict[tuple[int, ...], list[int]] = {}
    same_value: dict[tuple[int, ...], list[int]] = {}
    for i, p in enumerate(pairs):
        same_key.setdefault(p.key.uid, []).append(i)
        same_value.setdefault(p.value.uid, []).append(i)
    rank_key: dict[int, float] = {}
    rank_value: dict[int, float] = {}
    for groups, rank in ((same_key, rank_key), (same_value, rank_value)):
        for members in groups.values():
            for n, i in enumerate(sorted(members, key=lambda i: -prior[i])):
                rank[i] = float(n)

    def top_two(index: dict[int, list[int]]) -> dict[int, tuple[tuple[float, int], tuple[float, int]]]:
        """Per word, its two best pairs (score, pair): the best other than any one pair is one of them."""
        out = {}
        for w, members in index.items():
            ranked = sorted(((prior[j], j) for j in set(members)), reverse=True)[:2]
            out[w] = (ranked[0], ranked[1] if len(ranked) > 1 else (0.0, -1))
        return out

    tops = {id(as_key): top_two(as_key), id(as_value): top_two(as_value)}

    def best(index: dict[int, list[int]], words: list[Word], skip: int) -> float:
        """The best first-pass score among the pairs reading these words, other than pair skip (0 where none)."""
        top = tops[id(index)]
        found: float | None = None
        for w in words:
            pair = top.get(id(w))
            if pair is None:
                continue
            (s1, j1), (s2, j2) = pair
            s = s1 if j1 != skip else (s2 if j2 != -1 else None)
            if s is not None and (found is None or s > found):
                found = s
        return 0.0 if found is None else found

    out = []
    for i in range(len(pairs)) if only is None else only:
        p, s = pairs[i], prior[i]
        out.append(
            {
                **p.features,
                "prior": s,
                "prior_rank_key": rank_key[i],
                "prior_rank_value": rank_value[i],
                "prior_value_rival": best(as_value, p.value.words, i) - s,
                "prior_key_rival": best(as_key, p.key.words, i) - s,
                "prior_key_as_value": best(as_value, p.key.words, i),
                "prior_value_as_key": best(as_key, p.value.words, i),
            }
        )
    return out
