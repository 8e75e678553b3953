"""Fitting the form linker: pair scorer by LightGBM, link threshold and calibration chosen out of fold."""

from __future__ import annotations

import math
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from model.learned.compare import norm_text
from model.learned.core import Doc
from model.learned.form import KEY, candidate_pairs, decode, pair_labels, to_form

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


def fit_form_pairs(examples: Sequence[Any], docs: dict[str, Doc], seed: int) -> dict[str, Any]:
    """The pair scorer, its link threshold (best out-of-fold key-value F1) and calibration of linked pairs."""
    import lightgbm as lgb
    import numpy as np

    from model.learned.fit import FOLDS, ROUNDS, _folds, ece, isotonic, lgb_params, oof_probabilities

    rows = []
    for ex in examples:
        if ex.schema != "form" or not ex.truth.get("entities"):
            continue
        pairs = candidate_pairs(docs[ex.name])
        if pairs:
            rows.append((ex, pairs, pair_labels(pairs, ex.truth)))
    if not rows:
        return {}
    features = sorted({f for _, pairs, _ in rows for p in pairs for f in p.features})

    def matrix(idx: Sequence[int]):  # type: ignore[no-untyped-def]
        x = [[p.features.get(f, math.nan) for f in features] for d in idx for p in rows[d][1]]
        y = [label for d in idx for label in rows[d][2]]
        return np.array(x, dtype=np.float64), np.array(y)

    def fit(idx: Sequence[int]):  # type: ignore[no-untyped-def]
        x, y = matrix(idx)
        return lgb.train(lgb_params(seed), lgb.Dataset(x, y, feature_name=features), num_boost_round=ROUNDS)

    folds = _folds([ex.group for ex, _, _ in rows], FOLDS)
    oof: list[list[float]] = [[] for _ in rows]
    for k in range(FOLDS):
        booster = fit([d for d, f in enumerate(folds) if f != k])
        for d, f in enumerate(folds):
            if f == k:
                x, _ = matrix([d])
                oof[d] = [float(s) for s in booster.predict(x, num_threads=1)]
    truth = [[(kv["key"], kv["value"]) for kv in ex.truth.get("key_value_pairs", [])] for ex, _, _ in rows]
    best_t, best_f1 = THRESHOLDS[0], -1.0
    for t in THRESHOLDS:
        counts = []
        for d, (ex, pairs, _) in enumerate(rows):
            form, _ = to_form(docs[ex.name], decode(pairs, oof[d], t), lambda s: s)
            counts.append(kv_counts(truth[d], [(f.key, f.value) for f in form.fields]))
        f1 = _f1(counts)
        if f1 > best_f1:
            best_t, best_f1 = t, f1
    scores, correct, link_folds = [], [], []
    for d, (_, pairs, labels) in enumerate(rows):
        for p, s in decode(pairs, oof[d], best_t):
            scores.append(s)
            correct.append(bool(labels[pairs.index(p)]))
            link_folds.append(folds[d])
    calibration = isotonic(scores, correct)
    figures = {
        "documents": len(rows),
        "cv_kv_f1": round(best_f1, 4),
        "threshold": best_t,
        "cv_link_precision": round(sum(correct) / max(1, len(correct)), 4),
        "cv_ece": round(ece(oof_probabilities(scores, correct, link_folds), correct), 4),
    }
    return {
        KEY: {
            "booster": fit(range(len(rows))),
            "features": features,
            "calibration": calibration,
            "figures": figures,
            "params": {"threshold": best_t},
        }
    }


def apply_form(doc: Doc, data: Any, confidence: dict[str, float], model: Any) -> tuple[Any, dict[str, float]]:
    """A form read by the fitted linker (the rules' reading is kept when the model has no linker)."""
    scorer = model.fields.get(KEY)
    if scorer is None:
        return data, confidence
    pairs = candidate_pairs(doc)
    scores = scorer.scores([_AsCandidate(p.features) for p in pairs])
    threshold = model.manifest["fields"][KEY].get("params", {}).get("threshold", 0.5)
    return to_form(doc, decode(pairs, scores, threshold), scorer.calibration)


class _AsCandidate:
    __slots__ = ("features",)

    def __init__(self, features: dict[str, float]):
        self.features = features
