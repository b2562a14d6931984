"""``powerdesk triage train [--seed N] [--no-archive] [--activate] [--background]``: train a model version
from the shipped corpus and the archived orders; ``--activate`` makes it serve (refused if it scores worse
than the active one); ``--background`` queues the job on the ``triage`` queue instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from powerdesk.core.errors import ValidationFailed
from powerdesk.triage import services
from powerdesk.triage.models import TrainingRun


class Command(BaseCommand):
    help = "Triage model: train (and optionally activate) a version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["train"])
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--no-archive", action="store_true", help="Train on the shipped corpus alone.")
        parser.add_argument("--activate", action="store_true")
        parser.add_argument("--background", action="store_true", help="Queue the job (queue triage).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"]:
            run = services.training_request(actor=None)
            self.stdout.write(f"queued training run {run.pk}")
            return
        from powerdesk.core import clock

        run = TrainingRun.objects.create(requested_at=clock.now(), state=TrainingRun.State.RUNNING)
        version = services.model_train(
            run=run, seed=options["seed"], include_archive=not options["no_archive"]
        )
        self.stdout.write(
            f"model v{version.pk}: {version.samples} rows, "
            f"evaluated on {version.eval_source}: {version.metrics}"
        )
        if options["activate"]:
            try:
                services.model_version_activate(version=version, actor=None)
            except ValidationFailed as refusal:
                raise CommandError(str(refusal)) from refusal
            self.stdout.write(f"model v{version.pk} active")
