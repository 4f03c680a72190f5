"""The lock of a sweep folder: one process writes into it at a time.

Two ``--resume`` of one sweep would otherwise run the same chunks twice, and one's start-up
cleanup of half-written files would delete the other's chunk in flight.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from experiments.support.outputs import UserError

#: Held (flock) by the process writing into a sweep folder; holds that process's id.
LOCK = ".lock"


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the folder's lock while a process writes into it; refuse if another holds it.

    ``fcntl.flock`` on an open file: the kernel drops the lock when its process ends, even
    by ``kill -9``, so no stale lock is ever left to clear by hand. The file is removed on
    release; a process that locked the old file just before is caught by comparing inodes.
    Platforms without ``fcntl`` run without the lock.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    path = Path(folder) / LOCK
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UserError(f"cannot write into '{folder}' ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise UserError(f"'{folder}' is in use by another phase0 process (pid "
                            f"{holder}); wait for it to finish or stop it, then run "
                            "again") from None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # the file was removed under us by a holder that finished: again
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)
