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
