"""Triage benchmark: macro-F1 of business type and topic and the recall of urgent on the evaluation set,
inference p50/p99 per utterance, and the memory a web process gains by loading the model.

``.venv/bin/python bench/triage.py [--seed N] [--runs N] [--report] [--cv K] [--group-cv]``. No database: it trains from the shipped corpus
(``powerdesk/triage/corpus/train/*.jsonl``) as ``powerdesk triage train --no-archive`` does, measures on
``corpus/eval.jsonl`` (written apart, never trained on) or — when that file is missing — on a held-out
20 % of the corpus, and says which. Urgent is served as the model OR a hazard word of the seeded lexicon.
The memory is the resident set before and after loading jieba and the stored model (unpickled from its
bytes, as a web process does on its first suggestion).

``--cv K`` measures the training corpus alone instead, by K-fold cross-validation stratified by business
type, and never opens the evaluation set: the figure to choose features, settings and new corpus lines
by, so that the evaluation set stays a test that nothing was tuned on.

``--group-cv`` does the same with the folds drawn by writer instead of at random: each of
:data:`WRITER_BATCHES` is held out whole in turn and scored by a model trained on the others' lines. The
evaluation set was written apart by another writer; random folds put lines of the same writer, batch and
situation on both sides and so reward a model that learns a writer's phrasing. It never opens the
evaluation set either. A line's writer is the commit that first brought its text into ``corpus/train/``
(read from git, so relabelled or moved lines stay with their writer)."""

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


# The commits that added the training corpus's lines, grouped by the writer who wrote them (as
# corpus/README.md tells them apart). The first writer's 2,825 lines are split by its three writing times, so
# that no held-out group is more than a fifth of the corpus; the fifth writer's 71 lines go with the fourth's,
# on the same type pairs. Lines of a commit not listed here (a later writer) form a group of their own.
WRITER_BATCHES: dict[str, tuple[str, ...]] = {
    "first (d30ff02)": ("d30ff02",),
    "first (6883faf)": ("6883faf",),
    "first (later)": ("7da56c3", "8502cb9", "fe5fe92", "91fdc91", "eb6c8de", "eecc968", "e864a6b"),
    "second": ("225b10e", "b2db078", "b502e3c", "ee066db", "160b615", "e82a353"),
    "third (corpus-b)": (
        "e091ce1",
        "4bd55ab",
        "d4862d5",
        "d248cce",
        "32f3b9f",
        "a27689a",
        "4bb7e75",
        "5f47cb4",
    ),
    "fourth and fifth": ("e53df36", "1851322", "b54101a", "89f1926", "d7988a2"),
    "sixth": ("733a08b", "0a205f0", "83d3956", "5feba5e"),
    "seventh": ("f0eb320", "71d2f97", "1072e4b"),
    "eighth": ("ba966ac",),
    "ninth": ("fdbddce", "ac8ec92"),
}


@dataclass
class Term:
    term: str
    kind: str
    weight: int


def seeded_lexicon() -> list[Term]:
    lexicon = importlib.import_module("powerdesk.triage.migrations.0002_seed_lexicon")
    more = importlib.import_module("powerdesk.triage.migrations.0003_more_hazard_terms")
    risk = importlib.import_module("powerdesk.risk.migrations.0002_seed")
    dropped = {t for t, _w, _n in more.DROPPED}
    terms = [Term(t, "hazard", w) for t, w, _n in (*lexicon.HAZARD, *more.HAZARD) if t not in dropped]
    terms += [Term(t, "unhappy", w) for t, w, _n in lexicon.UNHAPPY]
    terms += [Term(t, "angry", w) for t, w, _n in risk.TERMS]
    return terms


def read_jsonl(path: Path) -> list[dict]:
    # as powerdesk.triage.training reads it (that module needs Django's models; this bench does not)
    with path.open(encoding="utf-8") as f:
        return [row for line in f if line.strip() and (row := json.loads(line)).get("text")]


TRAIN_DIR = REPO / "powerdesk" / "triage" / "corpus" / "train"


def training_rows() -> list[dict]:
    """The shipped training corpus, one dict a line, files in name order."""
    return [row for file in sorted(TRAIN_DIR.glob("*.jsonl")) for row in read_jsonl(file)]


def served_urgent(terms: list[Term]):
    """Urgent as it is served: the model's label OR a hazard word of ``terms`` in the text."""
    from powerdesk.triage import rules

    def urgent(text: str, said: bool) -> bool:
        return rules.urgent(model_urgent=said, found=rules.hits(text, terms))

    return urgent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=2000, help="utterances timed")
    parser.add_argument(
        "--report",
        action="store_true",
        help="also print per-class scores and confusion matrices of type and topic, and the labels of "
        "the urgent lines missed (labels only: the evaluation texts are not shown)",
    )
    parser.add_argument(
        "--cv",
        type=int,
        default=0,
        metavar="K",
        help="K-fold cross-validation on the training corpus only (the evaluation set is not read)",
    )
    parser.add_argument(
        "--group-cv",
        action="store_true",
        help="cross-validation on the training corpus only, each writer's batch held out whole in turn "
        "(the evaluation set is not read)",
    )
    args = parser.parse_args()

    from powerdesk.triage import learn, rules

    EVAL_FILE = TRAIN_DIR.parent / "eval.jsonl"

    rows = training_rows()
    if args.group_cv:
        group_cross_validate(rows, seed=args.seed, terms=seeded_lexicon())
        return
    if args.cv:
        cross_validate(rows, folds=args.cv, seed=args.seed, terms=seeded_lexicon())
        return
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
    urgent = served_urgent(terms)

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
    print(
        f"urgent precision:       {metrics.get('urgent_precision', 0):.3f}   (urgent suggestions that were hazards)"
    )
    print(f"inference per utterance ({args.runs}): p50 {p50:.2f} ms, p99 {p99:.2f} ms   (target p99 < 20 ms)")
    print(f"process memory gained by the model: {gained:.1f} MB (resident set)")
    if args.report:
        report(served, held, urgent)


def cross_validate(rows: list[dict], *, folds: int, seed: int, terms: list[Term]) -> None:
    """Each fold's model trained on the other folds and scored on it; the figures over all rows, with
    the per-class scores and confusion matrices of type and topic."""
    from sklearn.model_selection import StratifiedKFold

    labels = [str(r["business_type"]) for r in rows]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    started = time.perf_counter()
    ordered, predicted = out_of_fold(rows, splitter.split(rows, labels), seed=seed)
    print(
        f"measured on: {folds}-fold cross-validation of the training corpus ({len(rows)} rows, seed {seed})"
    )
    print(f"trained {folds} times in {time.perf_counter() - started:.0f} s")
    print_scores(ordered, predicted, terms)


def group_cross_validate(rows: list[dict], *, seed: int, terms: list[Term]) -> None:
    """:func:`cross_validate` with each writer's batch (:func:`writer_groups`) held out whole in turn;
    the share of each held-out batch's business types guessed right too (its macro-F1 would mean little:
    most batches hold a few types only). The pooled figures are the ones to choose by."""
    groups = writer_groups(rows)
    names = batch_names(groups)
    splits = [
        ([i for i, g in enumerate(groups) if g != name], [i for i, g in enumerate(groups) if g == name])
        for name in names
    ]
    started = time.perf_counter()
    ordered, predicted = out_of_fold(rows, splits, seed=seed)
    print(
        f"measured on: cross-validation of the training corpus by writer, {len(names)} batches each held "
        f"out whole ({len(rows)} rows, seed {seed})"
    )
    print(f"trained {len(names)} times in {time.perf_counter() - started:.0f} s")
    at = 0
    for name, (_fit, held) in zip(names, splits, strict=True):
        right = sum(
            str(r["business_type"]) == p["business_type"].label
            for r, p in zip(ordered[at : at + len(held)], predicted[at : at + len(held)], strict=True)
        )
        at += len(held)
        print(f"  held out {name:<18} {len(held):>5} rows: business type right {right / len(held):.3f}")
    print_scores(ordered, predicted, terms)


def writer_groups(rows: list[dict]) -> list[str]:
    """The writer's batch of each row (:data:`WRITER_BATCHES`): the first commit, oldest first, whose
    ``corpus/train/`` holds the row's text; a commit not listed is a batch of its own."""
    import subprocess

    train = "powerdesk/triage/corpus/train"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout

    origin: dict[str, str] = {}
    for commit in git("log", "--reverse", "--topo-order", "--format=%H", "--", train).split():
        for path in git("ls-tree", "--name-only", commit, f"{train}/").split():
            if path.endswith(".jsonl"):
                for line in git("show", f"{commit}:{path}").splitlines():
                    text = json.loads(line).get("text") if line.strip() else None
                    if text and text not in origin:
                        origin[text] = commit
    batch_of = {c: name for name, commits in WRITER_BATCHES.items() for c in commits}
    groups = []
    for row in rows:
        commit = origin.get(str(row["text"]), "")
        groups.append(
            next((n for c, n in batch_of.items() if commit.startswith(c)), commit[:7] or "uncommitted")
        )
    return groups


def batch_names(groups: list[str]) -> list[str]:
    """The batches of ``groups`` in :data:`WRITER_BATCHES`' order, then those of unlisted commits."""
    order = {name: i for i, name in enumerate(WRITER_BATCHES)}
    return sorted(set(groups), key=lambda name: (order.get(name, len(order)), name))


def out_of_fold(rows: list[dict], splits, *, seed: int) -> tuple[list[dict], list[dict]]:
    """The rows of each split's held-out part, in split order, and each one's prediction by the model
    trained on that split's other rows."""
    from powerdesk.triage import learn

    ordered: list[dict] = []
    predicted: list[dict] = []
    for fit_at, held_at in splits:
        model = learn.fit([rows[i] for i in fit_at], seed=seed)
        for i in held_at:
            ordered.append(rows[i])
            predicted.append(model.predict(str(rows[i]["text"]), top_words=0))
    return ordered, predicted


def print_scores(ordered: list[dict], predicted: list[dict], terms: list[Term]) -> None:
    from powerdesk.triage import learn

    metrics = learn.scores(ordered, predicted, urgent=served_urgent(terms))
    print(f"business type macro-F1: {metrics.get('business_type_macro_f1', 0):.3f}")
    print(f"topic macro-F1:         {metrics.get('topic_macro_f1', 0):.3f}")
    print(f"sub-type macro-F1:      {metrics.get('sub_type_macro_f1', 0):.3f}")
    print(f"emotion macro-F1:       {metrics.get('emotion_macro_f1', 0):.3f}")
    print(f"urgent recall:          {metrics.get('urgent_recall', 0):.3f}")
    print(f"urgent precision:       {metrics.get('urgent_precision', 0):.3f}")
    confusion(ordered, predicted)


def report(model, rows: list[dict], urgent) -> None:
    """Per-class precision / recall / F1 and the confusion matrix (rows: truth, columns: guess) of
    business type and topic, and the labels of the urgent lines the served urgency missed."""
    predicted = [model.predict(str(r["text"]), top_words=0) for r in rows]
    confusion(rows, predicted)
    missed = [
        (r, p)
        for r, p in zip(rows, predicted, strict=True)
        if r.get("urgent") and not urgent(str(r["text"]), "urgent" in p and p["urgent"].label == "1")
    ]
    print(f"\n== urgent missed: {len(missed)} ==")
    for r, p in missed:
        said = p["business_type"].label if "business_type" in p else "-"
        print(
            f"  truth {r.get('business_type')}/{r.get('topic')}/{r.get('sub_type') or '-'}  guessed type {said}"
        )


def confusion(rows: list[dict], predicted: list[dict]) -> None:
    """Per-class precision / recall / F1 and the confusion matrix of business type and topic."""
    from sklearn.metrics import classification_report, confusion_matrix

    for target in ("business_type", "topic"):
        truth = [str(r.get(target) or "") for r in rows]
        guess = [p[target].label if target in p else "" for p in predicted]
        labels = sorted(set(truth) | set(guess))
        print(f"\n== {target} ==")
        print(classification_report(truth, guess, labels=labels, zero_division=0, digits=3))
        matrix = confusion_matrix(truth, guess, labels=labels)
        short = [label[:7] for label in labels]
        print("truth \\ guess".ljust(20) + "".join(s.rjust(8) for s in short))
        for label, line in zip(labels, matrix, strict=True):
            print(label[:19].ljust(20) + "".join(str(v).rjust(8) for v in line))


if __name__ == "__main__":
    main()
