"""The learned chooser: rules propose candidates with features, a fitted model scores them, the best one wins.

One LightGBM model per (schema, field) ranks every candidate of a document; the chosen value is the best and its
confidence is the winner's lead over the best other value mapped through a calibration (Platt, tabulated) fitted
on out-of-fold predictions (documents the scoring model did not see). The shipped artifact is LightGBM's text
format plus a JSON manifest: no pickle, loaded once per process on first use, never at import.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.layout.lines import Line, build_lines
from model.types import Word

ARTIFACTS = Path(__file__).parent / "artifacts"
MANIFEST = "manifest.json"


def feature_matrix(rows: list[dict[str, float]], features: list[str]):  # type: ignore[no-untyped-def]
    """The rows as a float64 matrix with one column per feature, NaN where a row lacks it (LightGBM's missing).
    map over dict.get, not a comprehension: a form page scores ~1000 rows of ~100 features twice."""
    import numpy as np

    missing = [math.nan] * len(features)
    return np.array([list(map(r.get, features, missing)) for r in rows], dtype=np.float64).reshape(
        len(rows), len(features)
    )


@dataclass
class Candidate:
    """A value a rule proposes for a field, the words it came from, and what the rule saw (features)."""

    value: Any
    words: list[Word]
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class Doc:
    """One document as the proposers see it: its rows, plus a memo so rules shared by several fields run once."""

    lines: list[Line]
    memo: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_pages(cls, pages: list[list[Word]]) -> Doc:
        return cls(build_lines(pages))

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


Proposer = Callable[[Doc], list[Candidate]]


@dataclass(frozen=True)
class FieldSpec:
    """A learned field: how candidates are proposed for it and how a candidate is compared with the truth."""

    schema: str
    name: str
    kind: str  # text, amount, date: how the truth is compared
    propose: Proposer
    # a field a document may lack (an invoice's tax or net amount): documents without it are fitted too, where the
    # proposer's empty candidate (value None) is the right one to choose
    optional: bool = False

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


_FIELDS: dict[str, FieldSpec] = {}


def learned_field(schema: str, name: str, kind: str, optional: bool = False) -> Callable[[Proposer], Proposer]:
    """Register a proposer for one field; a duplicate registration raises."""

    def decorate(propose: Proposer) -> Proposer:
        spec = FieldSpec(schema, name, kind, propose, optional)
        if spec.key in _FIELDS:
            raise ValueError(f"learned field {spec.key!r} is already registered")
        _FIELDS[spec.key] = spec
        return propose

    return decorate


def field_specs(schema: str | None = None) -> list[FieldSpec]:
    _load_builtin()
    return [s for s in _FIELDS.values() if schema is None or s.schema == schema]


def _load_builtin() -> None:
    import model.learned.form  # noqa: F401
    import model.learned.invoice  # noqa: F401
    import model.learned.invoice_vendor  # noqa: F401
    import model.learned.receipt  # noqa: F401


# ---------------------------------------------------------------- calibration


@dataclass
class Calibration:
    """A monotone map from a model score to the probability that the value is right (Platt or isotonic, tabulated as
    breakpoints); or, when coef is set, a logistic fit on the margin and how well the value was read (inputs)."""

    x: list[float]
    y: list[float]
    coef: list[float] = field(default_factory=list)  # one per CONFIDENCE_INPUTS
    intercept: float = 0.0

    def probability(self, inputs: list[float]) -> float:
        """P(right) from confidence_inputs(...); the tabulated map of the margin alone when no logistic fit is kept."""
        if not self.coef:
            return self(inputs[0])
        z = self.intercept + sum(c * v for c, v in zip(self.coef, inputs, strict=True))
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))

    def __call__(self, score: float) -> float:
        if not self.x:
            return score
        if score <= self.x[0]:
            return self.y[0]
        if score >= self.x[-1]:
            return self.y[-1]
        lo, hi = 0, len(self.x) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.x[mid] <= score:
                lo = mid
            else:
                hi = mid
        x0, x1, y0, y1 = self.x[lo], self.x[hi], self.y[lo], self.y[hi]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (score - x0) / (x1 - x0)


# ---------------------------------------------------------------- the fitted model


@dataclass
class FieldModel:
    """One field's fitted scorer, its feature order and its calibration."""

    features: list[str]
    booster: Any  # lightgbm.Booster
    calibration: Calibration

    def scores(self, candidates: list[Candidate]) -> list[float]:
        if not candidates:
            return []
        rows = feature_matrix([c.features for c in candidates], self.features)
        return [float(s) for s in self.booster.predict(rows, num_threads=1)]

    def choose(self, candidates: list[Candidate]) -> tuple[Candidate, float] | None:
        """The best-scoring candidate and the calibrated probability that it is right."""
        if not candidates:
            return None
        scores = self.scores(candidates)
        best, margin = best_and_margin(candidates, scores)
        return candidates[best], round(
            self.calibration.probability(confidence_inputs(candidates, best, margin, scores[best])), 4
        )


MARGIN_ALONE = 10.0  # the margin of a value no other candidate disputes
MARGIN_RANGE = 10.0  # margins are clipped to +-this before calibration
# What a value's confidence is fitted on: how far the chooser preferred it, how surely its words were read (the
# weakest word and the mean: one misread letter makes a name wrong however clearly it was chosen), how many
# candidates said the same value, how much of it the fitted lexicon knows and whether the lexicon corrected it, and the
# chooser's own score of it (how value-like it is, not only how far ahead). Pooled receipt train CV, 4 inputs -> 7:
# ECE 0.026 -> 0.016, precision of the 70% surest values 0.949 -> 0.958 (`/work/scratch/calib.py`). Then how many of
# its words are unknown but one letter from a known word (likely misreadings; a feature named with '_', so the
# chooser does not see it): train CV with a lexicon of the other merchants, precision of the surest 70% 0.958 -> 0.966,
# straight-through at 0.85 0.17 -> 0.20 (`/work/scratch/confcv.py`).
CONFIDENCE_INPUTS = ("margin", "read_min", "read_mean", "agreeing", "known", "corrected", "score", "near_known")


def confidence_inputs(candidates: list[Candidate], best: int, margin: float, score: float = 0.0) -> list[float]:
    """The CONFIDENCE_INPUTS of the chosen candidate, in that order."""
    from model.learned.compare import norm_text

    words = candidates[best].words
    read = [w.confidence for w in words] or [1.0]
    value = norm_text(candidates[best].value)
    agreeing = sum(1 for c in candidates if norm_text(c.value) == value)
    return [
        max(-MARGIN_RANGE, min(MARGIN_RANGE, margin)),
        min(read),
        sum(read) / len(read),
        math.log(agreeing),
        candidates[best].features.get("known_share", 1.0),
        min(1.0, candidates[best].features.get("corrected", 0.0)),
        max(-MARGIN_RANGE, min(MARGIN_RANGE, score)),
        min(3.0, candidates[best].features.get("_near_known", 0.0)),
    ]


def best_and_margin(candidates: list[Candidate], scores: list[float]) -> tuple[int, float]:
    """The best-scoring candidate and how far it leads the best candidate with another value: the margin is what
    confidence is calibrated on (a close second says 'unsure' far better than a high score alone)."""
    from model.learned.compare import norm_text

    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    value = norm_text(candidates[best].value)
    rivals = [s for c, s in zip(candidates, scores, strict=True) if norm_text(c.value) != value]
    return best, float(scores[best] - max(rivals)) if rivals else MARGIN_ALONE


class LearnedModel:
    """All fields' scorers of one model version, read from a folder holding the manifest and LightGBM texts."""

    def __init__(self, folder: Path):
        import lightgbm as lgb

        self.folder = folder
        self.manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
        self.version: str = self.manifest["version"]
        self.fields: dict[str, FieldModel] = {}
        for key, entry in self.manifest["fields"].items():
            booster = lgb.Booster(model_str=(folder / entry["model"]).read_text())
            cal = entry.get("calibration") or {}
            calibration = Calibration(
                cal.get("x", []), cal.get("y", []), cal.get("coef", []), cal.get("intercept", 0.0)
            )
            self.fields[key] = FieldModel(entry["features"], booster, calibration)
        from model.learned.memory import VendorMemory

        self.memory = VendorMemory.load(folder)
        from model.learned.spelling import Lexicon

        self.lexicon = Lexicon.load(folder)

    def get(self, schema: str, name: str) -> FieldModel | None:
        return self.fields.get(f"{schema}.{name}")


_LOCK = threading.Lock()
_LOADED: dict[Path, tuple[float, LearnedModel]] = {}


def model_folder(override: Path | None = None) -> Path:
    """Where the model is read from: a deployment's own refit (DOCAI_HOME/models/learned) or the shipped one."""
    if override is not None and (override / MANIFEST).exists():
        return override
    return ARTIFACTS


def load_model(folder: Path | None = None) -> LearnedModel | None:
    """The model in folder, loaded once per process and again only when its manifest changes on disk."""
    folder = model_folder(folder)
    manifest = folder / MANIFEST
    try:
        mtime = manifest.stat().st_mtime
    except FileNotFoundError:
        return None
    with _LOCK:
        cached = _LOADED.get(folder)
        if cached is None or cached[0] != mtime:
            _LOADED[folder] = (mtime, LearnedModel(folder))
        return _LOADED[folder][1]
