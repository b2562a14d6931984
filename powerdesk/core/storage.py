"""The storage of uploaded files: Django's file system storage, written so that a file appears under its
name whole or not at all.

Django's ``FileSystemStorage`` writes straight into the file's final name; a write that fails half-way
(the disk full, a quota) leaves the half-written file there, under a name no row points to. Here every
file is written under a temporary name in its directory, flushed to disk, and only then linked to its
name (``os.link`` fails instead of replacing a file that took the name meanwhile, and the next free name
is tried); the temporary name is removed in every case.

A full disk (``ENOSPC``, ``EDQUOT``) is raised as :class:`~powerdesk.core.errors.StorageFull`, a domain
error: the console shows it on the form, the API answers 507 with its error body, and the upload's
transaction is rolled back, so there is no attachment row without its file either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from typing import IO, Any

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from powerdesk.core.errors import StorageFull

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def copy_into(target: IO[bytes], content: Any) -> None:
    """Write the upload's chunks to ``target`` and make them durable."""
    for chunk in content.chunks():
        target.write(chunk)
    target.flush()
    os.fsync(target.fileno())


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        try:
            return self._save_whole(name, content)
        except OSError as exc:
            if exc.errno in DISK_FULL:
                message = _("附件存储空间已满，文件未保存。请联系系统管理员清理磁盘后重试。")
                raise StorageFull(message) from exc
            raise

    def _save_whole(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
            try:
                os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
            finally:
                os.umask(old_umask)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".upload-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as target:
                copy_into(target, content)
            mode = self.file_permissions_mode
            if mode is None:  # as a file opened with 0o666 under the process's umask
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temporary, mode)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:  # another upload took the name since it was chosen
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")
