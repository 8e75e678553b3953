"""Learning from approvals, measured on SROIE dev: 30 receipts approved with their true values, the chooser refit on
the training split plus those 30 (as `docai train` does), then the other dev receipts read by it and by a refit
that approved nothing. Merchant name and address are scored on the receipts whose merchant was among the 30.

This measures the fitting path (same `train_all`, same vendor memory) on cached OCR words; the REST/worker path
(`docai up`, PATCH, approve, `docai train`, a running worker picking the refit up) is tests/workers/test_learning.py.

  python benchmarks/learning_bench.py --ocr-cache /work/cache/ocr [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIELDS = ("merchant_name", "merchant_address", "transaction_date", "total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--ocr-cache", type=Path, action="append", default=[])
    parser.add_argument("--own-cache", type=Path, default=Path("benchmarks/out/ocr"))
    parser.add_argument("--approve", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from docai.eval.adapters import SROIE, find_samples
    from docai.eval.training import _group, page_words, train_examples
    from model.layout.receipt import extract_receipt
    from model.learned.apply import apply_learned
    from model.learned.compare import same_value
    from model.learned.core import Doc, LearnedModel
    from model.learned.fit import APPROVED, Example, train_all

    train = [ex for ex in train_examples(args.data / "train", args.ocr_cache, args.own_cache) if ex.schema == "receipt"]
    dev = []
    for sample in find_samples(args.data / "sroie"):
        truth = {SROIE[k]: v for k, v in json.loads(sample.document.with_suffix(".json").read_text()).items()}
        words = page_words(sample.document, f"sroie__{sample.name}", args.ocr_cache, args.own_cache)
        dev.append(Example(f"dev/{sample.name}", _group(truth["merchant_name"]), "receipt", words, truth, APPROVED))
    # approve one receipt of every merchant that recurs, then others in name order, up to --approve
    recurring = {g for g in (ex.group for ex in dev) if sum(1 for o in dev if o.group == g) > 1}
    firsts = {g: next(ex for ex in dev if ex.group == g) for g in recurring}
    approved = list(firsts.values()) + [ex for ex in dev if ex.group not in recurring]
    approved = approved[: args.approve]
    rest = [ex for ex in dev if ex not in approved]
    seen = {ex.group for ex in approved}

    report: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, examples in (("approved_nothing", train), ("approved_30", train + approved)):
            folder = Path(tmp) / label
            train_all(examples, folder, log=lambda _m: None)
            model = LearnedModel(folder)
            scores: dict[str, list[bool]] = {}
            for ex in rest:
                doc = Doc.from_pages(ex.pages)
                data, confidence = extract_receipt(doc.lines)
                data, _ = apply_learned("receipt", doc, data, confidence, model)
                subset = "seen_merchant" if ex.group in seen else "new_merchant"
                for name in FIELDS:
                    right = same_value(
                        {"total": "amount", "transaction_date": "date"}.get(name, "text"),
                        getattr(data, name),
                        ex.truth.get(name),
                    )
                    scores.setdefault(f"{subset}.{name}", []).append(right)
            report[label] = {k: round(sum(v) / len(v), 4) for k, v in sorted(scores.items())}
            report[label]["documents_seen_merchant"] = sum(1 for ex in rest if ex.group in seen)
            report[label]["documents_new_merchant"] = sum(1 for ex in rest if ex.group not in seen)
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for label, figures in report.items():
        print(label)
        for key, value in figures.items():
            print(f"  {key:<36} {value}")


if __name__ == "__main__":
    main()
