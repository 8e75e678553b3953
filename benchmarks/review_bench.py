"""What lands in review and why: the `ocr` engine's results on a dev set, checked and grounded as `docai process` does,
then the reasons a reviewer is shown, counted by field and kind; beside it the share of documents with no reason
(straight to approval) at two review thresholds.

Words come from OCR once (cached like `docai train` does, or read from --ocr-cache); everything after OCR is the
pipeline's own code (engine, validate, ground, review_reasons).

  python benchmarks/review_bench.py                                       # ../shared/data/sroie as receipts
  python benchmarks/review_bench.py --set invoice2data --schema invoice --ocr-cache /work/cache/ocr --json
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def reasons_of(set_folder: Path, schema: str, caches: list[Path], own: Path, thresholds: list[float]):  # type: ignore[no-untyped-def]
    """Per threshold: the documents, how many carry no reason, and the reasons counted as (field, reason, code)."""
    from PIL import Image

    from docai.eval.adapters import find_samples
    from docai.eval.training import page_words
    from docai.settings import get_settings
    from docai.stages.engines import get_engine
    from docai.stages.grounding import ground
    from docai.stages.review import review_reasons
    from model.types import ExtractRequest, PageInput
    from schemas.validate import validate

    engine, _ = get_engine("ocr", get_settings())
    out = {t: {"documents": 0, "no_reason": 0, "reasons": collections.Counter()} for t in thresholds}
    for sample in find_samples(set_folder):
        words = page_words(sample.document, f"{set_folder.name}__{sample.name}", caches, own)
        pages = [PageInput(index=i, image=Image.new("RGB", (8, 8)), words=w) for i, w in enumerate(words)]
        result = engine.extract_batch([ExtractRequest(request_id=sample.name, schema=schema, pages=pages)])[0]
        if result.data is None:
            for t in thresholds:
                out[t]["documents"] += 1
                out[t]["reasons"][("-", "failed", result.error_code)] += 1
            continue
        data = result.data.model_dump(mode="json")
        issues = [i.model_dump(mode="json") for i in validate(result.data)]
        for t in thresholds:
            evidence, _low = ground(result.data, words, result.confidence, t, result.calibrated)
            found = review_reasons(schema, data, {p: e.model_dump(mode="json") for p, e in evidence.items()}, issues, t)
            out[t]["documents"] += 1
            out[t]["no_reason"] += not found
            for r in found:
                out[t]["reasons"][(r["field"], r["reason"], r.get("code"))] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--set", default="sroie")
    parser.add_argument("--schema", default="receipt")
    parser.add_argument("--ocr-cache", type=Path, action="append", default=[])
    parser.add_argument("--own-cache", type=Path, default=Path("benchmarks/out/ocr"))
    parser.add_argument("--threshold", type=float, action="append", default=[])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from docai.settings import get_settings

    thresholds = args.threshold or [get_settings().review_threshold, 0.85]
    out = reasons_of(args.data / args.set, args.schema, args.ocr_cache, args.own_cache, thresholds)
    report = {
        str(t): {
            "documents": r["documents"],
            "no_reason": round(r["no_reason"] / max(1, r["documents"]), 3),
            "reasons": [
                {"field": f, "reason": why, "code": code, "documents": n}
                for (f, why, code), n in r["reasons"].most_common()
            ],
        }
        for t, r in out.items()
    }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for t, r in report.items():
        print(f"threshold {t}: {r['documents']} documents, {r['no_reason']:.1%} with no reason to review")
        for row in r["reasons"]:
            print(
                f"  {row['documents']:4d}  {row['field'] or '-':<22} {row['reason']}{' ' + row['code'] if row['code'] else ''}"
            )


if __name__ == "__main__":
    main()
