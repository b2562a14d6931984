"""The collected static files: whitenoise's compressed storage, compressing only what changed, and the
static files app that collects them.

``powerdesk run`` collects the static files at every start. Django copies only the files whose source
is newer, but whitenoise compresses every collected file again (brotli and gzip at their best levels,
some 20 MB): 20 s of each start on a small machine, for the same bytes. Whitenoise gives each compressed
copy its file's modification time, and Django gives a file it copies again a new one, so a file whose
compressed copies carry its own time is already compressed as it is now.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from whitenoise.storage import CompressedStaticFilesStorage

SUFFIXES = (".br", ".gz")


class FreshCompressedStaticFilesStorage(CompressedStaticFilesStorage):
    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any) -> Iterator[Any]:
        changed = {path: found for path, found in paths.items() if not self._compressed_as_it_is(path)}
        yield from super().post_process(changed, dry_run=dry_run, **options)

    def _compressed_as_it_is(self, path: str) -> bool:
        """A compressed copy of ``path`` exists, and every one there has the file's modification time."""
        full = self.path(path)
        try:
            mtime = os.stat(full).st_mtime
        except FileNotFoundError:
            return False
        copies = [os.stat(full + suffix).st_mtime for suffix in SUFFIXES if os.path.exists(full + suffix)]
        # a float set by os.utime and read back can differ below the microsecond
        return bool(copies) and all(abs(copy - mtime) < 1e-3 for copy in copies)


class StaticFilesConfig(BaseStaticFilesConfig):
    """Django's static files app (settings name it in place of ``django.contrib.staticfiles``), leaving the
    vendored bundles' source maps (``*.map``: swagger-ui's and redoc's, half of the collected bytes) out of
    ``collectstatic``. Nothing links them but a browser's developer tools, and compressing them at
    whitenoise's best levels was half of a first start's collection."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "*.map"]
