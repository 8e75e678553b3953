"""Extraction after OCR, per page on one core: the learned chooser beside the rule-only extractor it replaced.

Words come from OCR once (cached like `docai train` does, or read from --ocr-cache); only what runs after OCR is
timed: rows built from words, the rules, and for the learned path the candidates, features and LightGBM scores.
The model is loaded before timing (it loads once per process). CPU time of this process, one thread.

  python benchmarks/extract_bench.py                                  # ../shared/data/sroie and funsd
  python benchmarks/extract_bench.py --ocr-cache /work/cache/ocr --rounds 5 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _pages(folder: Path, caches: list[Path], own: Path, limit: int) -> list[list[list]]:
    from docai.eval.adapters import find_samples
    from docai.eval.training import page_words

    return [page_words(s.document, f"{folder.name}__{s.name}", caches, own) for s in find_samples(folder)[:limit]]


def _time(fn, docs, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Per-page CPU milliseconds of each round."""
    pages = sum(len(d) for d in docs)
    out = []
    from model.layout.lexicon import _respell
    from model.learned.compare import _norm

    for _ in range(rounds):
        for cache in (_norm, _respell):  # each round starts as a fresh process would: nothing read yet
            cache.cache_clear()
        started = time.process_time()
        for doc in docs:
            fn(doc)
        out.append(1000 * (time.process_time() - started) / max(1, pages))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--ocr-cache", type=Path, action="append", default=[])
    parser.add_argument("--own-cache", type=Path, default=Path("benchmarks/out/ocr"))
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from model.layout.form import extract_form
    from model.layout.lines import build_lines
    from model.layout.receipt import extract_receipt
    from model.learned.apply import apply_learned
    from model.learned.core import Doc, load_model

    model = load_model()
    assert model is not None, "no learned model shipped"
    report: dict[str, dict[str, float]] = {}
    for name, schema, rules in (("sroie", "receipt", extract_receipt), ("funsd", "form", extract_form)):
        docs = _pages(args.data / name, args.ocr_cache, args.own_cache, args.limit)

        def rule_only(pages, rules=rules):  # type: ignore[no-untyped-def]
            return rules(build_lines(pages))

        def learned(pages, rules=rules, schema=schema):  # type: ignore[no-untyped-def]
            lines = build_lines(pages)
            data, confidence = rules(lines)
            return apply_learned(schema, Doc(lines), data, confidence, model)

        learned(docs[0])  # warm: imports, first LightGBM call
        for label, fn in (("rules_ms_per_page", rule_only), ("learned_ms_per_page", learned)):
            runs = _time(fn, docs, args.rounds)
            report.setdefault(name, {})[label] = round(min(runs), 2)
            report[name][label.replace("_ms", "_median_ms")] = round(statistics.median(runs), 2)
        report[name]["documents"] = len(docs)
    if args.json:
        print(json.dumps({"model": model.version, **report}, indent=1))
        return
    print(f"learned model {model.version}; CPU ms per page after OCR, best of {args.rounds} (median)")
    for name, r in report.items():
        print(
            f"  {name:<6} rules {r['rules_ms_per_page']:7.2f} ({r['rules_median_ms_per_page']:.2f})   "
            f"learned {r['learned_ms_per_page']:7.2f} ({r['learned_median_ms_per_page']:.2f})   {r['documents']} docs"
        )


if __name__ == "__main__":
    main()
