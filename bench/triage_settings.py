"""Model settings of the triage classifier compared by cross-validation by writer (``bench/triage.py
--group-cv``'s folds: each writer's batch held out whole), on the training corpus only — the evaluation
set is never read.

``.venv/bin/python bench/triage_settings.py [--seed N] [--settings NAME,...]``. Each setting is a set of
values of :mod:`powerdesk.triage.learn`'s module constants; the ones that change only the business type's
classifier refit that classifier on the same fold's features instead of the whole model (the same result
as :func:`learn.fit`, as the other classifiers do not depend on it). Prints each setting's pooled type,
topic and sub-type macro-F1 and urgent recall / precision (served as the model OR a hazard word)."""

from __future__ import annotations

import argparse
import copy
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.triage import batch_names, seeded_lexicon, served_urgent, training_rows, writer_groups

# name → the learn constants it sets (all others as shipped)
SETTINGS: dict[str, dict[str, object]] = {
    "current": {},
    "type C 8": {"TYPE_C": 8.0},
    "type C 4": {"TYPE_C": 4.0},
    "type unweighted": {"TYPE_CLASS_WEIGHT": None},
    "type C 32": {"TYPE_C": 32.0},
    "char 2-3": {"CHAR_NGRAMS": (2, 3)},
    "char 1-2": {"CHAR_NGRAMS": (1, 2)},
    "words min_df 2": {"WORD_MIN_DF": 2},
}
TYPE_ONLY = {"TYPE_C", "TYPE_CLASS_WEIGHT"}


@contextmanager
def patched(values: dict[str, object]):
    from powerdesk.triage import learn

    before = {name: getattr(learn, name) for name in values}
    for name, value in values.items():
        setattr(learn, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(learn, name, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="comma-separated names of SETTINGS")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.settings.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SETTINGS]
    if unknown:
        parser.error(f"unknown settings {unknown}; known: {list(SETTINGS)}")

    from powerdesk.triage import learn

    urgent = served_urgent(seeded_lexicon())
    rows = training_rows()
    groups = writer_groups(rows)
    names = batch_names(groups)
    # settings that only change the type classifier ride on the shipped features of the same fold
    refit = [n for n in chosen if SETTINGS[n] and set(SETTINGS[n]) <= TYPE_ONLY]
    whole = [n for n in chosen if n not in refit]
    if refit and "current" not in whole:
        whole.insert(0, "current")
    ordered: list[dict] = []
    predicted: dict[str, list[dict]] = {n: [] for n in [*whole, *refit]}
    started = time.perf_counter()
    for name in names:
        fit_rows = [r for r, g in zip(rows, groups, strict=True) if g != name]
        held = [r for r, g in zip(rows, groups, strict=True) if g == name]
        ordered += held
        for setting in whole:
            with patched(SETTINGS[setting]):
                model = learn.fit(fit_rows, seed=args.seed)
            predicted[setting] += [model.predict(str(r["text"]), top_words=0) for r in held]
            if setting != "current":
                continue
            x = model.features([str(r["text"]) for r in fit_rows])
            labels = [str(r["business_type"]) for r in fit_rows]
            for other in refit:
                with patched(SETTINGS[other]):
                    clf = learn.classifier("business_type", seed=args.seed).fit(x, labels)
                variant = copy.copy(model)
                variant.classifiers = {**model.classifiers, "business_type": clf}
                predicted[other] += [variant.predict(str(r["text"]), top_words=0) for r in held]
        print(f"  held out {name} ({len(held)} rows), {time.perf_counter() - started:.0f} s", flush=True)
    print(f"cross-validation by writer, {len(names)} batches, {len(rows)} rows, seed {args.seed}")
    print(f"{'setting':<18}{'type':>8}{'topic':>8}{'sub-type':>10}{'urg rec':>9}{'urg prec':>10}")
    for setting in chosen:
        m = learn.scores(ordered, predicted[setting], urgent=urgent)
        print(
            f"{setting:<18}{m.get('business_type_macro_f1', 0):>8.4f}{m.get('topic_macro_f1', 0):>8.4f}"
            f"{m.get('sub_type_macro_f1', 0):>10.4f}{m.get('urgent_recall', 0):>9.4f}"
            f"{m.get('urgent_precision', 0):>10.4f}"
        )


if __name__ == "__main__":
    main()
