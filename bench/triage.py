"""Triage benchmark: macro-F1 of business type and topic and the recall of urgent on the evaluation set,
inference p50/p99 per utterance, and the memory a web process gains by loading the model.

``.venv/bin/python bench/triage.py [--seed N] [--runs N]``. No database: it trains from the shipped corpus
(``powerdesk/triage/corpus/train.jsonl``) as ``powerdesk triage train --no-archive`` does, measures on
``corpus/eval.jsonl`` (written apart, never trained on) or — when that file is missing — on a held-out
20 % of the corpus, and says which. Urgent is served as the model OR a hazard word of the seeded lexicon.
The memory is the resident set before and after loading jieba and the stored model (unpickled from its
bytes, as a web process does on its first suggestion)."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Term:
    term: str
    kind: str
    weight: int


def seeded_lexicon() -> list[Term]:
    lexicon = importlib.import_module("powerdesk.triage.migrations.0002_seed_lexicon")
    risk = importlib.import_module("powerdesk.risk.migrations.0002_seed")
    terms = [Term(t, "hazard", w) for t, w, _n in lexicon.HAZARD]
    terms += [Term(t, "unhappy", w) for t, w, _n in lexicon.UNHAPPY]
    terms += [Term(t, "angry", w) for t, w, _n in risk.TERMS]
    return terms


def read_jsonl(path: Path) -> list[dict]:
    # as powerdesk.triage.training reads it (that module needs Django's models; this bench does not)
    with path.open(encoding="utf-8") as f:
        return [row for line in f if line.strip() and (row := json.loads(line)).get("text")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=2000, help="utterances timed")
    args = parser.parse_args()

    from powerdesk.triage import learn, rules

    corpus = REPO / "powerdesk" / "triage" / "corpus"
    TRAIN_FILE, EVAL_FILE = corpus / "train.jsonl", corpus / "eval.jsonl"

    rows = read_jsonl(TRAIN_FILE)
    evaluation = read_jsonl(EVAL_FILE) if EVAL_FILE.exists() else None
    if evaluation:
        fit_rows, held, source = rows, evaluation, f"evaluation set {EVAL_FILE.name} ({len(evaluation)})"
    else:
        fit_rows, held = learn.split(rows, seed=args.seed)
        source = f"held-out 20 % of the training corpus ({len(held)}): corpus/eval.jsonl is missing"
    started = time.perf_counter()
    model = learn.fit(fit_rows, seed=args.seed)
    trained_s = time.perf_counter() - started
    artefact = model.dumps()
    del model
    gc.collect()

    terms = seeded_lexicon()

    def urgent(text: str, said: bool) -> bool:
        return rules.urgent(model_urgent=said, found=rules.hits(text, terms))

    # the memory a fresh process gains: measured in this one after the training's garbage is gone, so
    # an upper bound (jieba's dictionary is already loaded by the training: add it from a clean start)
    base = rss_mb()
    served = learn.loads(artefact)
    served.predict("家里没电了")
    gained = rss_mb() - base

    metrics = learn.evaluate(served, held, urgent=urgent)
    texts = [str(r["text"]) for r in held] or ["家里没电了"]
    timings = []
    for i in range(args.runs):
        text = texts[i % len(texts)]
        t0 = time.perf_counter()
        found = rules.hits(text, terms)
        predicted = served.predict(text)
        rules.urgent(model_urgent=predicted["urgent"].label == "1", found=found)
        rules.emotion(model_label=predicted["emotion"].label, found=found)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]

    print(f"measured on: {source}")
    print(
        f"training rows: {len(fit_rows)}; trained in {trained_s:.1f} s; artefact {len(artefact) / 1e6:.1f} MB"
    )
    print(f"business type macro-F1: {metrics.get('business_type_macro_f1', 0):.3f}   (target ≥ 0.90)")
    print(f"topic macro-F1:         {metrics.get('topic_macro_f1', 0):.3f}   (target ≥ 0.80)")
    print(f"sub-type macro-F1:      {metrics.get('sub_type_macro_f1', 0):.3f}")
    print(f"emotion macro-F1:       {metrics.get('emotion_macro_f1', 0):.3f}")
    print(f"urgent recall:          {metrics.get('urgent_recall', 0):.3f}   (target ≥ 0.98)")
    print(f"inference per utterance ({args.runs}): p50 {p50:.2f} ms, p99 {p99:.2f} ms   (target p99 < 20 ms)")
    print(f"process memory gained by the model: {gained:.1f} MB (resident set)")


if __name__ == "__main__":
    main()
