"""SQLite connections of the store: pragmas, the writers' lock and the background checkpointer.

Several processes (``serve --workers N``) and threads write to one database file. SQLite
serialises them itself, but a writer that finds the database locked sleeps in SQLite's busy
handler for 1, 2, 5, 10 ... ms before trying again: under load most of the time goes to
sleeping. So every write transaction first takes an exclusive ``flock`` on a lock file beside
the database (:class:`WriterLock`): a blocked writer wakes the moment the holder releases it
(or, when it waits at most a timeout, within a millisecond of it).
SQLite's own lock (``BEGIN IMMEDIATE``, busy_timeout) stays the ground truth; the flock only
makes waiting for it fast. The kernel drops the flock of a killed process.

WAL checkpoints (copying the log back into the database, with two fsyncs) would otherwise run
inside whichever request crosses the threshold. :class:`Checkpointer` runs them in a thread
instead: a passive checkpoint without the lock (the long part, while requests go on), then a
short one under the writers' lock, so the log is fully copied and the next writer starts it
again from the beginning instead of letting it grow.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import time

__all__ = ["Checkpointer", "WriterLock", "connect", "lock_path"]

log = logging.getLogger("loyapro_mock.mockserver.store")

#: Pages in the log before a committing connection checkpoints by itself. With a background
#: checkpointer this is only a safety net (16 MiB of 4 KiB pages).
AUTOCHECKPOINT_PAGES = 1000
BACKGROUND_AUTOCHECKPOINT_PAGES = 4096
MMAP_BYTES = 256 * 1024 * 1024
CACHE_KIB = 16 * 1024


def lock_path(db_path: str) -> str:
    """The lock file of the writers of ``db_path``."""
    return db_path + "-writer.lock"


def connect(
    path: str, *, timeout: float, memory: bool, background_checkpoint: bool = False
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with the store's pragmas.

    ``synchronous = NORMAL`` in WAL mode makes a commit durable against a crash of the
    process (the log is in the OS's hands when COMMIT returns); only losing the machine's
    power can lose the last commits.
    """
    conn = sqlite3.connect(
        path, timeout=timeout, isolation_level=None, check_same_thread=False, cached_statements=256
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    if not memory:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        pages = BACKGROUND_AUTOCHECKPOINT_PAGES if background_checkpoint else AUTOCHECKPOINT_PAGES
        conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    return conn


class WriterLock:
    """An exclusive ``flock`` that one connection holds around each write transaction.

    One instance per connection: flock locks belong to an open file, so two instances (in
    one process or several) exclude each other.
    """

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock; True once held.

        Waits for other writers (at most ``timeout`` seconds when it is >= 0, polling every
        0.05-1 ms), or with ``blocking=False`` returns False at once when another writer
        holds it. The arguments are those of `threading.Lock.acquire`.
        """
        if blocking and timeout < 0:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            return True
        if not blocking:  # the event loop's try, every 0.2 ms while another worker writes
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True
        deadline = time.monotonic() + max(timeout, 0.0)
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
            time.sleep(pause)
            pause = min(pause * 2, 0.001)

    def release(self) -> None:
        """Let the next writer in."""
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (releasing the lock if held)."""
        with contextlib.suppress(OSError):
            os.close(self._fd)


class Checkpointer:
    """A daemon thread that checkpoints the WAL of ``path`` every ``interval`` seconds."""

    def __init__(self, path: str, interval: float, *, timeout: float) -> None:
        self._path = path
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = connect(self._path, timeout=self._timeout, memory=False, background_checkpoint=True)
        lock = WriterLock(lock_path(self._path))
        try:
            while not self._stop.wait(self._interval):
                self.checkpoint(conn, lock)
        finally:
            lock.close()
            conn.close()

    @staticmethod
    def checkpoint(conn: sqlite3.Connection, lock: WriterLock) -> None:
        """Copy the log into the database: first unlocked, then the rest under the lock."""
        try:
            _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames <= 0:
                return
            lock.acquire()
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                lock.release()
        except sqlite3.Error as exc:  # a checkpoint is an optimisation: never fatal
            log.debug("checkpoint of %s skipped: %s", conn, exc)

    def stop(self) -> None:
        """Stop the thread (waits for a running checkpoint to finish)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=self._timeout)
