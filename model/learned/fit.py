"""Fitting the choosers: candidates labelled against the truth, LightGBM per field, isotonic calibration out of fold."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.learned.compare import same_value, text_similarity
from model.learned.core import (
    CONFIDENCE_INPUTS,
    MANIFEST,
    Candidate,
    Doc,
    FieldSpec,
    best_and_margin,
    confidence_inputs,
    feature_matrix,
    field_specs,
)
from model.learned.memory import FILE as MEMORY_FILE
from model.learned.memory import VendorMemory
from model.learned.spelling import FILE as LEXICON_FILE
from model.learned.spelling import Contribution, Lexicon, header_text
from model.types import Word

FORMAT = 1  # bump when the manifest's layout changes
FOLDS = 5
APPROVED = "approved"  # Example.source of documents approved in this deployment
CV_FILE = "cv.json"
SOFT_MATCH = 0.9  # no exact candidate: the closest one at least this similar is the one to learn to pick


@dataclass
class Example:
    """One training document: its words (as the pipeline reads them) and its true values by field name."""

    name: str
    group: str  # documents of one merchant/vendor share a group, so CV folds keep them together
    schema: str
    pages: list[list[Word]]
    truth: dict[str, Any]
    source: str = "train"


def lgb_params(seed: int) -> dict[str, Any]:
    """Small trees, one thread, deterministic: the same seed and data give the same model text."""
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 5,
        "feature_fraction": 0.9,
        "lambda_l2": 1.0,
        "num_threads": 1,
        "deterministic": True,
        "force_row_wise": True,
        "seed": seed,
        "verbosity": -1,
    }


# Boosting rounds of each field's chooser. Receipt train CV (mean of 3 seeds, 5 folds by merchant): name 150 0.776,
# 300 0.783, 500 0.785; address 0.711, 0.722, 0.720; total and date the same (`/work/scratch/rcv.py`).
ROUNDS = 300
OBJECTIVE = "lambdarank"


def right(spec: FieldSpec, value: Any, truth: Any) -> bool:
    """Whether a chosen value is the true one; for an optional field a document lacks, only the empty choice is."""
    if spec.optional and truth in (None, ""):
        return value is None
    return same_value(spec.kind, value, truth)


def labelled(spec: FieldSpec, candidates: list[Candidate], truth: Any) -> list[int]:
    """1 for each candidate equal to the truth; when none is, the closest text at least SOFT_MATCH similar."""
    labels = [int(right(spec, c.value, truth)) for c in candidates]
    if not any(labels) and spec.kind == "text" and candidates:
        sims = [text_similarity(c.value, truth) for c in candidates]
        best = max(range(len(sims)), key=sims.__getitem__)
        if sims[best] >= SOFT_MATCH:
            labels[best] = 1
    return labels


@dataclass
class FieldData:
    spec: FieldSpec
    features: list[str]
    docs: list[tuple[Example, list[Candidate], list[int]]]


def collect(spec: FieldSpec, examples: Sequence[Example], docs: dict[str, Doc]) -> FieldData:
    rows = []
    names: set[str] = set()
    for ex in examples:
        truth = ex.truth.get(spec.name)
        if ex.schema != spec.schema or (truth in (None, "") and not spec.optional):
            continue
        candidates = spec.propose(docs[ex.name])
        rows.append((ex, candidates, labelled(spec, candidates, truth)))
        for c in candidates:
            names.update(k for k in c.features if not k.startswith("_"))  # "_name": a confidence input only
    return FieldData(spec, sorted(names), rows)


def _matrix(data: FieldData, docs: Sequence[int]):  # type: ignore[no-untyped-def]
    import numpy as np

    rows = [c.features for d in docs for c in data.docs[d][1]]
    return feature_matrix(rows, data.features), np.array([label for d in docs for label in data.docs[d][2]])


def _fit(data: FieldData, docs: Sequence[int], seed: int):  # type: ignore[no-untyped-def]
    import lightgbm as lgb

    x, y = _matrix(data, docs)
    if len(set(y.tolist())) < 2:
        return None
    params = lgb_params(seed)
    if OBJECTIVE == "lambdarank":
        # documents are the queries: the model learns to put the true candidate first among its document's
        groups = [len(data.docs[d][1]) for d in docs if data.docs[d][1]]
        params.update(objective="lambdarank", lambdarank_truncation_level=3, eval_at=[1])
        return lgb.train(params, lgb.Dataset(x, y, group=groups, feature_name=data.features), num_boost_round=ROUNDS)
    return lgb.train(params, lgb.Dataset(x, y, feature_name=data.features), num_boost_round=ROUNDS)


def _folds(groups: list[str], k: int) -> list[int]:
    """Each group's fold, from a hash of its name: stable across runs and machines."""
    return [int(hashlib.sha256(g.encode()).hexdigest(), 16) % k for g in groups]


def _top(booster, data: FieldData, d: int) -> tuple[list[float], bool]:  # type: ignore[no-untyped-def]
    """The chosen candidate's confidence inputs (margin first) and whether it is right."""
    ex, candidates, _labels = data.docs[d]
    if not candidates or booster is None:
        return [-PLATT_RANGE] + [0.0] * (len(CONFIDENCE_INPUTS) - 1), False
    x = feature_matrix([c.features for c in candidates], data.features)
    scores = [float(s) for s in booster.predict(x, num_threads=1)]
    best, margin = best_and_margin(candidates, scores)
    # right as `docai eval` scores it: a near reading the fit learned from (an OCR slip) is still wrong for a
    # reviewer, so neither the CV accuracy nor the calibration counts it
    return confidence_inputs(candidates, best, margin, scores[best]), right(
        data.spec, candidates[best].value, ex.truth.get(data.spec.name)
    )


def _exact_reachable(data: FieldData, d: int) -> bool:
    """Whether some candidate equals the truth exactly (the soft labels aside): the most a perfect choice could score."""
    ex, candidates, _ = data.docs[d]
    return any(right(data.spec, c.value, ex.truth.get(data.spec.name)) for c in candidates)


def isotonic(scores: list[float], correct: list[bool]) -> dict[str, list[float]]:
    """Isotonic regression of correctness on score, as breakpoints for linear interpolation."""
    from sklearn.isotonic import IsotonicRegression

    if not scores:
        return {"x": [], "y": []}
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    iso.fit(scores, [float(c) for c in correct])
    return {"x": [round(float(v), 6) for v in iso.X_thresholds_], "y": [round(float(v), 6) for v in iso.y_thresholds_]}


def smoothed_isotonic(scores: list[float], correct: list[bool]) -> dict[str, list[float]]:
    """Isotonic regression whose every block says (right + 1) / (values + 2), not right / values: a block of 120
    values all right maps to 0.99, not 1.0. Fitted on generated documents, where the rules are never wrong in some
    ranges, a plain isotonic map promised certainty no real page earns."""
    from sklearn.isotonic import IsotonicRegression

    if not scores:
        return {"x": [], "y": []}
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    fitted = iso.fit_transform(scores, [float(c) for c in correct])
    blocks: dict[float, list[int]] = {}
    for value, right in zip(fitted, correct, strict=True):
        block = blocks.setdefault(float(value), [0, 0])
        block[0] += 1
        block[1] += int(right)
    level = {value: (right + 1) / (n + 2) for value, (n, right) in blocks.items()}
    ys, top = [], 0.0
    for y in iso.y_thresholds_:
        top = max(top, level.get(float(y), float(y)))  # still monotone where a small block sits above a large one
        ys.append(round(top, 6))
    return {"x": [round(float(v), 6) for v in iso.X_thresholds_], "y": ys}


def ece(probs: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error over equal-width bins."""
    total = 0.0
    for b in range(bins):
        idx = [i for i, p in enumerate(probs) if b / bins <= p < (b + 1) / bins or b == bins - 1 and p == 1.0]
        if idx:
            acc = sum(correct[i] for i in idx) / len(idx)
            conf = sum(probs[i] for i in idx) / len(idx)
            total += len(idx) / len(probs) * abs(acc - conf)
    return total


PLATT_RANGE = 10.0  # margins are clipped to +-this; MARGIN_ALONE (an undisputed value) sits at the top


def platt(scores: list[float], correct: list[bool]) -> dict[str, list[float]]:
    """A logistic fit of correctness on the (clipped) margin, tabulated as breakpoints for linear interpolation.
    On the receipt fields' out-of-fold margins it is better calibrated than isotonic (cross-fitted ECE 0.024 vs
    0.036 pooled): isotonic steps overfit a few hundred documents."""
    from sklearn.linear_model import LogisticRegression

    if len(set(correct)) < 2:
        return isotonic(scores, correct)
    clipped = [[max(-PLATT_RANGE, min(PLATT_RANGE, s))] for s in scores]
    fit = LogisticRegression(C=1.0).fit(clipped, [int(c) for c in correct])
    a, b = float(fit.coef_[0][0]), float(fit.intercept_[0])
    xs = [round(-PLATT_RANGE + 0.25 * k, 2) for k in range(int(8 * PLATT_RANGE) + 1)]
    return {"x": xs, "y": [round(1 / (1 + math.exp(-(a * x + b))), 6) for x in xs]}


def logistic(rows: list[list[float]], correct: list[bool]) -> dict[str, Any]:
    """A logistic fit of correctness on the confidence inputs (margin, how well the words were read, agreement),
    with Platt's margin-only map kept beside it. Fitted out of fold on the receipt fields it ranks values better than
    the margin alone: the margin cannot see that a clearly chosen name was misread by one letter."""
    from sklearn.linear_model import LogisticRegression

    fallback = platt([r[0] for r in rows], correct)
    if len(set(correct)) < 2:
        return fallback
    import numpy as np

    x = np.array(rows, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0  # an input that never varies (a PDF's text layer is read surely) gets no weight
    fit = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / std, [int(c) for c in correct])
    # the standardization folded into the coefficients, so applying the fit needs no scaler
    coef = fit.coef_[0] / std
    intercept = float(fit.intercept_[0]) - float((fit.coef_[0] * mean / std).sum())
    return {**fallback, "coef": [round(float(c), 6) for c in coef], "intercept": round(intercept, 6)}


def oof_inputs_probabilities(rows: list[list[float]], correct: list[bool], folds: list[int]) -> list[float]:
    """oof_probabilities for the logistic fit on several inputs."""
    return oof_probabilities(rows, correct, folds, logistic)  # type: ignore[arg-type]


def oof_probabilities(
    scores: list[float],
    correct: list[bool],
    folds: list[int],
    method=None,  # type: ignore[no-untyped-def]
) -> list[float]:
    """The calibration's own error, measured honestly: each fold's values mapped by a map fitted on the other folds.
    A score is a number (isotonic, Platt) or a list of confidence inputs (logistic)."""
    from model.learned.core import Calibration

    method = method or isotonic
    probs = [0.0] * len(scores)
    for k in range(FOLDS):
        rest = [d for d, f in enumerate(folds) if f != k]
        cal = Calibration(**method([scores[d] for d in rest], [correct[d] for d in rest]))
        for d, f in enumerate(folds):
            if f == k:
                score = scores[d]
                probs[d] = cal.probability(score) if isinstance(score, list) else cal(score)
    return probs


def fit_field(data: FieldData, seed: int) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Out-of-fold scores (train CV figures, calibration), then the model fitted on every document."""
    folds = _folds([ex.group for ex, _, _ in data.docs], FOLDS)
    oof: list[tuple[list[float], bool]] = [([], False)] * len(data.docs)
    for k in range(FOLDS):
        fit_docs = [d for d, f in enumerate(folds) if f != k]
        held = [d for d, f in enumerate(folds) if f == k]
        booster = _fit(data, fit_docs, seed)
        for d in held:
            oof[d] = _top(booster, data, d)
    rows, correct = [r for r, _ in oof], [c for _, c in oof]
    calibration = logistic(rows, correct)
    probs = oof_inputs_probabilities(rows, correct, folds)
    n = max(1, len(data.docs))
    figures = {
        "documents": len(data.docs),
        "cv_accuracy": round(sum(correct) / max(1, len(correct)), 4),
        "cv_ece": round(ece(probs, correct), 4),
        "reachable": round(sum(1 for _, _, labels in data.docs if any(labels)) / n, 4),
        "reachable_exact": round(sum(_exact_reachable(data, d) for d in range(len(data.docs))) / n, 4),
    }
    figures["oof"] = [
        {"document": ex.name, "probability": round(p, 4), "correct": c}
        for (ex, _, _), p, c in zip(data.docs, probs, correct, strict=True)
    ]
    return _fit(data, range(len(data.docs)), seed), calibration, figures


def _write_model(out: Path, key: str, text: str) -> str:
    """A field's model text under a name carrying its content hash, so a refit never overwrites a file in use."""
    name = f"{key}.{hashlib.sha256(text.encode()).hexdigest()[:10]}.txt"
    (out / name).write_text(text)
    return name


def _held_out_context(examples: Sequence[Example], docs: dict[str, Doc]) -> Lexicon:
    """Each receipt sees a vendor memory of the other receipts (its own merchant through its other receipts, as a
    deployment remembers what it approved) and a lexicon of the other merchants' receipts (as a merchant never seen
    reads: a lexicon that knew the merchant's own words made the fit trust them, and the confidence with it, more than
    an unseen merchant's receipt bears out); returns the lexicon of them all."""
    receipts = [ex for ex in examples if ex.schema == "receipt"]
    own = {ex.name: Contribution.of(ex.truth, header_text(docs[ex.name])) for ex in receipts}
    lexicon = Lexicon.fit(own.values())
    merchants: dict[str, Contribution] = {}
    for ex in receipts:
        merchants.setdefault(ex.group, Contribution()).add(own[ex.name])
    for ex in receipts:
        others = [o.truth for o in receipts if o is not ex]
        docs[ex.name].memo["vendor_memory"] = VendorMemory.from_examples(others)
        docs[ex.name].memo["lexicon"] = lexicon.without(merchants[ex.group])
    return lexicon


def train_all(
    examples: Sequence[Example],
    out: Path,
    seed: int = 0,
    version: str | None = None,
    extra_fitters: Sequence[Callable[[Sequence[Example], dict[str, Doc], int], dict[str, Any]]] | None = None,
    log: Callable[[str], None] = print,
    digest_files: Sequence[str] = (),
) -> dict[str, Any]:
    """Fit every registered field on the examples and write the manifest and model texts into out; digest_files,
    files already in out (the rules' calibration), are named by the version too."""
    out.mkdir(parents=True, exist_ok=True)
    docs = {ex.name: Doc.from_pages(ex.pages) for ex in examples}
    lexicon = _held_out_context(examples, docs)
    # what a deployment remembers: the merchants its reviewers approved (training receipts only teach how to use it)
    memory = VendorMemory.from_examples([ex.truth for ex in examples if ex.source == APPROVED])
    sources: dict[str, int] = {}
    for ex in examples:
        sources[ex.source] = sources.get(ex.source, 0) + 1
    manifest: dict[str, Any] = {"seed": seed, "sources": dict(sorted(sources.items())), "fields": {}}
    digest = hashlib.sha256()
    cv: dict[str, Any] = {}  # out-of-fold probability and correctness per training document, for the model card
    for spec in field_specs():
        data = collect(spec, examples, docs)
        if not data.docs:
            continue
        booster, calibration, figures = fit_field(data, seed)
        if booster is None:
            continue
        text = booster.model_to_string(num_iteration=-1)
        filename = _write_model(out, spec.key, text)
        digest.update(text.encode())
        manifest["fields"][spec.key] = {
            "model": filename,
            "features": data.features,
            "calibration": calibration,
            "figures": figures,
        }
        oof = figures.pop("oof")
        log(f"{spec.key}: {figures}")
        cv[spec.key] = oof
    if extra_fitters is None:
        from model.learned.form_fit import fit_form_pairs

        extra_fitters = [fit_form_pairs]
    for fitter in extra_fitters:
        for key, fitted in fitter(examples, docs, seed).items():
            text = fitted["booster"].model_to_string(num_iteration=-1)
            filename = _write_model(out, key, text)
            digest.update(text.encode())
            manifest["fields"][key] = {
                "model": filename,
                "features": fitted["features"],
                "calibration": fitted["calibration"],
                "figures": fitted["figures"],
                "params": fitted["params"],
            }
            log(f"{key}: {fitted['figures']}")
    memory.save(out)
    lexicon.save(out)
    digest.update((out / MEMORY_FILE).read_bytes())
    digest.update((out / LEXICON_FILE).read_bytes())
    for name in digest_files:
        digest.update((out / name).read_bytes())
    digest.update(json.dumps(manifest, sort_keys=True).encode())
    # the version names the content: the same data and seed give the same version and files
    manifest["version"] = version or f"{FORMAT}.{digest.hexdigest()[:10]}"
    # the manifest last and in one step: a process loading meanwhile reads the old manifest and the old model files
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    tmp.replace(out / MANIFEST)
    used = {entry["model"] for entry in manifest["fields"].values() if "model" in entry}
    for stale in out.glob("*.*.txt"):
        if stale.name not in used:
            stale.unlink(missing_ok=True)  # a previous fit's model files
    (out / CV_FILE).write_text(json.dumps(cv, sort_keys=True) + "\n")
    return manifest
