"""Fitting the form linker: pair scorer by LightGBM, link threshold and calibration chosen out of fold."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from model.learned.compare import norm_text
from model.learned.core import Doc, feature_matrix
from model.learned.form import (
    KEY,
    PRIOR_KEY,
    candidate_pairs,
    decode,
    entity_of,
    form_lines,
    pair_labels,
    to_form,
    units,
    word_entities,
)
from model.learned.form_context import second_rows, spread
from model.learned.form_groups import (
    ANSWER_KEY,
    CUT_KEY,
    GROUP_KEY,
    LINK_AT,
    QUESTION_KEY,
    Merge,
    Stages,
    add_roles,
    cut_candidates,
    link_candidates,
    same_entity,
    unit_features,
    word_places,
)

THRESHOLDS = [round(0.05 * k, 2) for k in range(2, 17)]
MATCH = 0.8  # the eval's key-value similarity bar


def _similar(a: str, b: str) -> float:
    na, nb = norm_text(a), norm_text(b)
    if not na or not nb:
        return float(na == nb)
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()


def kv_counts(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(matched, predicted, expected) pairs, one-to-one, key and value both similar enough (as `docai eval`)."""
    scores = []
    for i, (ek, ev) in enumerate(expected):
        for j, (gk, gv) in enumerate(got):
            ks = _similar(ek, gk)
            if ks >= MATCH:
                vs = _similar(ev, gv)
                if vs >= MATCH:
                    scores.append((ks + vs, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, a, b in sorted(scores, reverse=True):
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
    return len(used_a), len(got), len(expected)


def _f1(counts: list[tuple[int, int, int]]) -> float:
    m, p, e = (sum(c[k] for c in counts) for k in range(3))
    return 2 * m / (p + e) if p + e else 0.0


# The second pass's rounds and leaves. It scores a fifth of the pairs, so it can be larger than the first: train CV kv F1
# (second pass fitted on the pairs over the floor, as in use) 150/15 0.429, 300/31 0.439, 400/31 0.442, 800/31 0.440,
# 400/63 0.438 (`/work/scratch/formfit.py`).
SECOND_SIZE = (400, 31)
FIRST_SIZE = (150, 15)  # the first pass and the role scorers score every word and pair of a form


def _booster(
    rows: list[tuple[list[dict[str, float]], list[int]]],
    idx: Sequence[int],
    features: list[str],
    seed: int,
    size: tuple[int, int] | None = None,
):  # type: ignore[no-untyped-def]
    import lightgbm as lgb

    from model.learned.fit import lgb_params

    rounds, leaves = size or FIRST_SIZE
    x = feature_matrix([f for d in idx for f in rows[d][0]], features)
    y = [label for d in idx for label in rows[d][1]]
    params = {**lgb_params(seed), "num_leaves": leaves}
    return lgb.train(params, lgb.Dataset(x, y, feature_name=features), num_boost_round=rounds)


def _predictor(booster, features: list[str]) -> Merge:  # type: ignore[no-untyped-def]
    return lambda rows: [float(s) for s in booster.predict(feature_matrix(rows, features), num_threads=1)]


def _oof(rows, features: list[str], folds: list[int], seed: int) -> list[Merge]:  # type: ignore[no-untyped-def]
    """Each document's scorer fitted on the other folds."""
    from model.learned.fit import FOLDS

    boosters = [_booster(rows, [d for d, f in enumerate(folds) if f != k], features, seed) for k in range(FOLDS)]
    return [_predictor(boosters[f], features) for f in folds]


def _cut_rows(ex: Any, doc: Doc) -> tuple[list[dict[str, float]], list[int]]:
    lines = form_lines(doc)
    places = cut_candidates(lines)
    owner = word_entities([w for line in lines for w in line.words], ex.truth)
    labels = []
    for r, s, i, _ in places:
        words = lines[r].segments[s].words
        labels.append(int(owner.get(id(words[i - 1])) != owner.get(id(words[i]))))
    return [f for *_, f in places], labels


def _link_rows(ex: Any, doc: Doc, cut: Merge | None) -> tuple[list[dict[str, float]], list[int]]:
    lines = form_lines(doc)
    links = link_candidates(lines, units(lines, cut)[2])
    owner = word_entities([w for line in lines for w in line.words], ex.truth)
    return [f for _, _, f in links], [same_entity(entity_of(a, owner), entity_of(b, owner)) for a, b, _ in links]


def _role_rows(ex: Any, doc: Doc, pairs: list[Any]) -> tuple[list[dict[str, float]], list[str]]:
    """Every unit the pairs read, its features and the label of the entity it lies in ('' for none)."""
    lines = form_lines(doc)
    owner = word_entities([w for line in lines for w in line.words], ex.truth)
    labels = {e["id"]: e["label"] for e in ex.truth["entities"]}
    seen = {id(u): u for p in pairs for u in (p.key, p.value)}
    places = word_places(lines)
    rows, roles = [], []
    for u in seen.values():
        rows.append(unit_features(u, lines, places))
        eid = entity_of(u, owner)
        roles.append(labels.get(eid, "") if eid is not None else "")
    return rows, roles


def _stage(rows, folds: list[int], seed: int) -> tuple[dict[str, Any], list[Merge]]:  # type: ignore[no-untyped-def]
    """A binary scorer over (features, labels) per document: the fitted entry (its calibration out of fold) and each
    document's out-of-fold scorer."""
    from model.learned.fit import isotonic

    features = sorted({f for feats, _ in rows for r in feats for f in r})
    scorers = _oof(rows, features, folds, seed)
    probs = [p for d, (feats, _) in enumerate(rows) if feats for p in scorers[d](feats)]
    labels = [bool(label) for _, labels in rows for label in labels]
    tp = sum(p >= LINK_AT and label for p, label in zip(probs, labels, strict=True))
    figures = {"places": len(probs), "cv_f1": round(2 * tp / max(1, sum(p >= LINK_AT for p in probs) + sum(labels)), 4)}
    entry = {
        "booster": _booster(rows, range(len(rows)), features, seed),
        "features": features,
        "calibration": isotonic(probs, labels),
        "figures": figures,
        "params": {},
    }
    return entry, scorers


def fit_form_groups(
    forms: Sequence[Any], docs: dict[str, Doc], folds: list[int], seed: int
) -> tuple[dict[str, Any], list[Merge], list[Merge]]:
    """Entities from the annotated boxes: where a segment holds two (cut), and where one runs on to the next unit
    (join); with each document's out-of-fold models, so the next stage learns from cuts and joins as wrong as they
    will be in use."""
    cut_entry, cuts = _stage([_cut_rows(ex, docs[ex.name]) for ex in forms], folds, seed)
    join_entry, joins = _stage([_link_rows(ex, docs[ex.name], cuts[d]) for d, ex in enumerate(forms)], folds, seed)
    return {CUT_KEY: cut_entry, GROUP_KEY: join_entry}, cuts, joins


def _two_passes(rows, pair_rows, features: list[str], folds: list[int], seed: int):  # type: ignore[no-untyped-def]
    """A first-pass pair scorer, then a second pass fitted on each pair's features and how its first-pass score stands
    against its rivals. Each training document's first-pass scores come from a scorer fitted without it and without
    the held-out fold, so the second pass is fitted on scores as blind as those it reads in use. Returns the first
    pass's entry, the second pass's out-of-fold scores, its rows over every document (first-pass scores out of fold)
    and its features."""
    from model.learned.fit import FOLDS, isotonic

    first = _oof(pair_rows, features, folds, seed)
    first_oof = [first[d](feats) if feats else [] for d, (feats, _) in enumerate(pair_rows)]
    inner: dict[tuple[int, int], Merge] = {}
    for j in range(FOLDS):
        for k in range(j + 1, FOLDS):
            docs = [d for d, f in enumerate(folds) if f not in (j, k)]
            inner[(j, k)] = _predictor(_booster(pair_rows, docs, features, seed), features)

    def context(d: int, prior: list[float]) -> tuple[tuple[list[dict[str, float]], list[int]], list[int]]:
        """The second pass's rows and labels of document d, and which pairs they are."""
        feats, keep = second_rows(rows[d][1], prior)
        return (feats, [pair_rows[d][1][i] for i in keep]), keep

    second, kept = [], []
    for d in range(len(pair_rows)):
        row, keep = context(d, first_oof[d])
        second.append(row)
        kept.append(keep)
    second_features = sorted({f for feats, _ in second for r in feats for f in r})
    oof: list[list[float]] = [[0.0] * len(ys) for _, ys in pair_rows]
    for k in range(FOLDS):
        fit_rows = []
        for d, (feats, _labels) in enumerate(pair_rows):
            if folds[d] == k or not feats:
                fit_rows.append(([], []))
                continue
            scorer = inner[tuple(sorted((folds[d], k)))]  # type: ignore[index]
            fit_rows.append(context(d, scorer(feats))[0])
        booster = _booster(fit_rows, [d for d, f in enumerate(folds) if f != k], second_features, seed, SECOND_SIZE)
        predict = _predictor(booster, second_features)
        for d, f in enumerate(folds):
            if f == k and second[d][0]:
                oof[d] = spread(kept[d], predict(second[d][0]), len(oof[d]))
    entry = {
        "booster": _booster(pair_rows, range(len(rows)), features, seed),
        "features": features,
        "calibration": isotonic([s for p in first_oof for s in p], [bool(y) for _, ys in pair_rows for y in ys]),
        "figures": {"pairs": sum(len(ys) for _, ys in pair_rows)},
        "params": {},
    }
    entry["oof"] = first_oof
    return entry, oof, second, second_features


def fit_form_pairs(examples: Sequence[Any], docs: dict[str, Doc], seed: int) -> dict[str, Any]:
    """Entity joins, then the pair scorer, its link threshold (best out-of-fold key-value F1) and calibration."""
    from model.learned.fit import FOLDS, _folds, ece, isotonic, oof_probabilities

    forms = [ex for ex in examples if ex.schema == "form" and ex.truth.get("entities")]
    if not forms:
        return {}
    folds = _folds([ex.group for ex in forms], FOLDS)
    groups, cuts, joins = fit_form_groups(forms, docs, folds, seed)
    found = [candidate_pairs(docs[ex.name], Stages(cuts[d], joins[d])) for d, ex in enumerate(forms)]
    units_found = [_role_rows(ex, docs[ex.name], pairs) for ex, pairs in zip(forms, found, strict=True)]
    role_scorers = []
    for role, key in (("question", QUESTION_KEY), ("answer", ANSWER_KEY)):
        groups[key], scorers = _stage([(f, [int(r == role) for r in roles]) for f, roles in units_found], folds, seed)
        role_scorers.append(scorers)
    rows = []
    for d, ex in enumerate(forms):
        add_roles(found[d], form_lines(docs[ex.name]), role_scorers[0][d], role_scorers[1][d])
        words = [w for line in form_lines(docs[ex.name]) for w in line.words]
        rows.append((ex, found[d], pair_labels(found[d], ex.truth, words)))
    pair_rows = [([p.features for p in pairs], labels) for _, pairs, labels in rows]
    features = sorted({f for _, pairs, _ in rows for p in pairs for f in p.features})
    first_entry, oof, second_rows, second_features = _two_passes(rows, pair_rows, features, folds, seed)
    truth = [[(kv["key"], kv["value"]) for kv in ex.truth.get("key_value_pairs", [])] for ex, _, _ in rows]

    def f1_at(scores: list[list[float]], t: float) -> float:
        counts = []
        for d, (_, pairs, _) in enumerate(rows):
            form, _ = to_form(decode(pairs, scores[d], t), lambda s: s)
            counts.append(kv_counts(truth[d], [(f.key, f.value) for f in form.fields]))
        return _f1(counts)

    first_oof = first_entry.pop("oof")
    first_entry["figures"]["cv_kv_f1"] = round(max(f1_at(first_oof, t) for t in THRESHOLDS), 4)
    best_f1, best_t = max((f1_at(oof, t), -t) for t in THRESHOLDS)
    best_t = -best_t
    scores, correct, link_folds = [], [], []
    for d, (_, pairs, labels) in enumerate(rows):
        for p, s in decode(pairs, oof[d], best_t):
            scores.append(s)
            correct.append(bool(labels[pairs.index(p)]))
            link_folds.append(folds[d])
    figures = {
        "documents": len(rows),
        "cv_kv_f1": round(best_f1, 4),
        "candidate_ceiling_kv_f1": round(f1_at([[float(x) for x in labels] for _, _, labels in rows], 0.5), 4),
        "threshold": best_t,
        "cv_link_precision": round(sum(correct) / max(1, len(correct)), 4),
        "cv_ece": round(ece(oof_probabilities(scores, correct, link_folds), correct), 4),
    }
    return {
        **groups,
        PRIOR_KEY: first_entry,
        KEY: {
            "booster": _booster(second_rows, range(len(rows)), second_features, seed, SECOND_SIZE),
            "features": second_features,
            "calibration": isotonic(scores, correct),
            "figures": figures,
            "params": {"threshold": best_t},
        },
    }


def apply_form(doc: Doc, data: Any, confidence: dict[str, float], model: Any) -> tuple[Any, dict[str, float]]:
    """A form read by the fitted linker (the rules' reading is kept when the model has no linker)."""
    scorer = model.fields.get(KEY)
    if scorer is None:
        return data, confidence
    stages = [model.fields.get(key) for key in (CUT_KEY, GROUP_KEY, QUESTION_KEY, ANSWER_KEY)]
    pairs = candidate_pairs(doc, Stages(*(None if m is None else _predictor(m.booster, m.features) for m in stages)))
    prior = model.fields.get(PRIOR_KEY)
    if prior is not None:
        first = _predictor(prior.booster, prior.features)([p.features for p in pairs]) if pairs else []
        feats, keep = second_rows(pairs, first)  # the rest never reach the link threshold
        scores = spread(keep, scorer.scores([_AsCandidate(f) for f in feats]), len(pairs))
    else:
        scores = scorer.scores([_AsCandidate(p.features) for p in pairs])
    threshold = model.manifest["fields"][KEY].get("params", {}).get("threshold", 0.5)
    return to_form(decode(pairs, scores, threshold), scorer.calibration)


class _AsCandidate:
    __slots__ = ("features",)

    def __init__(self, features: dict[str, float]):
        self.features = features
