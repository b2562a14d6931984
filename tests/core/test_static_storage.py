"""The collected static files are compressed when they are new or changed, not again at every start."""

from __future__ import annotations

import gzip
import os

from powerdesk.core.staticstorage import FreshCompressedStaticFilesStorage

CSS = "body { color: #333; }\n" * 200  # long enough for the compression to pay


def _compressed(storage: FreshCompressedStaticFilesStorage, names: list[str]) -> list[str]:
    return sorted(name for _path, name, done in storage.post_process(dict.fromkeys(names)) if done)


def test_only_a_new_or_changed_file_is_compressed(tmp_path):
    storage = FreshCompressedStaticFilesStorage(location=tmp_path, base_url="/static/")
    (tmp_path / "a.css").write_text(CSS)
    (tmp_path / "b.css").write_text(CSS)
    assert _compressed(storage, ["a.css", "b.css"]) == [
        "a.css.br",
        "a.css.gz",
        "b.css.br",
        "b.css.gz",
    ]
    assert _compressed(storage, ["a.css", "b.css"]) == []  # as they were: nothing to do

    # collectstatic copies a changed file again, which gives it a new modification time
    (tmp_path / "b.css").write_text(CSS + "p { margin: 0; }\n")
    later = os.stat(tmp_path / "b.css").st_mtime + 5
    os.utime(tmp_path / "b.css", (later, later))
    assert _compressed(storage, ["a.css", "b.css"]) == ["b.css.br", "b.css.gz"]
    assert b"margin" in gzip.decompress((tmp_path / "b.css.gz").read_bytes())

    (tmp_path / "a.css.gz").unlink()  # its compressed copies removed: made again
    (tmp_path / "a.css.br").unlink()
    assert _compressed(storage, ["a.css", "b.css"]) == ["a.css.br", "a.css.gz"]


def test_collectstatic_leaves_the_vendored_source_maps_out(tmp_path, settings):
    """Nothing links the bundles' ``*.map`` files but a browser's developer tools; the bundles come."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # the copy alone: compressing 13 MB is what the storage test above covers
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert "favicon.svg" in collected
    assert not [name for name in collected if name.endswith(".map")]


def test_the_static_root_follows_the_environment(tmp_path):
    """``POWERDESK_STATIC_ROOT`` moves the collected files (the test session's drills share one copy)."""
    from tests.launcher.conftest import run

    done = run(
        "-c",
        "import powerdesk.settings as s; print(s.STATIC_ROOT)",
        env={**os.environ, "POWERDESK_STATIC_ROOT": str(tmp_path / "static")},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "static")
