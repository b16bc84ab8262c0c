"""Group commit: the webhooks that arrive together share one transaction and one commit.

A commit is the expensive part of a state change (the WAL's write of every page it touched),
and with ``serve --workers N`` the database's write lock is what the workers queue for.
Under load, the event loop hands the handlers requests in bursts: every connection that
became readable during one turn of the loop. Each handler parses and checks its request,
then queues its use-case call with :meth:`GroupCommit.write` and waits. On the loop's next
turn (or as soon as ``max_group`` calls wait) :meth:`GroupCommit.commit` takes the write
lock, runs the queued calls back to back in one transaction (`Store.begin_group`), each as
a savepoint of it, commits once and wakes the handlers. So:

* the write lock is held only while the calls run, not while requests are parsed, checked,
  answered or journaled: several workers do that work in parallel. A worker that finds the
  lock taken does not wait for it: its loop goes on serving and tries again 0.2 ms later;
* an answer (2xx or error) never leaves before the state it reports is durable: a crash
  loses only changes nobody was told about;
* a call that raises is undone alone (its savepoint), the others of its group stand;
* when the commit itself fails (or SQLite undid the whole group, as on a full disk), every
  request of it is answered 503 ``store_unavailable``: none of them happened; so is every
  waiting request when another writer holds the database for more than 30 s;
* a request whose handler was cancelled before its group ran is not applied at all.

Reads (reward lookup, :meth:`GroupCommit.read`) do not queue: they run at once in their own
snapshot. The journal's batches join the next group (:meth:`GroupCommit.defer`), so writing
them never stalls the loop either. Admin calls commit the waiting group first, so they act
on committed state.

On SQLite a group runs on the event loop itself: its statements are calls into a library
on a local file (an order's take tens of microseconds) and the commit is one write. A store
reached over the network (``Store.networked``: PostgreSQL) would make the loop wait for
every statement's round trip, so there a group runs in a worker thread instead (one group
in flight per process; the requests arriving meanwhile form the next one), the loop waking
the handlers when it is done; and reads run in a small pool of reader threads. The admin
API's :meth:`GroupCommit.commit` still runs on the loop, waiting for the group in flight.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from loyapro_mock.mockserver.store.protocol import Store, StoreError

__all__ = ["LOCK_RETRY_SECONDS", "LOCK_TIMEOUT_SECONDS", "MAX_GROUP", "READERS", "GroupCommit"]

log = logging.getLogger("loyapro_mock.mockserver.store")

T = TypeVar("T")

#: The most requests one commit waits for; more commit at once and start a new group.
MAX_GROUP = 256
#: Seconds between tries for the write lock while another worker process holds it.
LOCK_RETRY_SECONDS = 0.0002
#: Seconds the waiting requests wait for a lock another writer holds, then answer 503 (the
#: store's own busy timeout).
LOCK_TIMEOUT_SECONDS = 30.0
#: Reader threads of a networked store (reward lookups run there, beside the group's thread).
READERS = 4

_Queue = list[tuple[Callable[[], Any], "asyncio.Future[Any] | None"]]


class GroupCommit:
    """Queues use-case calls and runs each turn's calls in one transaction and one commit."""

    def __init__(
        self,
        store: Store,
        *,
        max_group: int = MAX_GROUP,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        threaded: bool | None = None,
    ) -> None:
        """``threaded`` runs the groups in a worker thread (default: when the store is
        ``networked``)."""
        self._store = store
        self.threaded = bool(getattr(store, "networked", False)) if threaded is None else threaded
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        self._readers: concurrent.futures.ThreadPoolExecutor | None = None
        if self.threaded:
            self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="store-group")
            self._readers = concurrent.futures.ThreadPoolExecutor(READERS, thread_name_prefix="store-read")
        self._running: concurrent.futures.Future[Any] | None = None  # the group in flight
        self._max_group = max_group
        self._lock_timeout = lock_timeout
        self._queue: list[tuple[Callable[[], Any], asyncio.Future[Any] | None]] = []
        self._scheduled: asyncio.Handle | None = None
        self._locked_since: float | None = None  # when the lock was first found taken
        self.groups = 0  # commits made (for tests and diagnostics)
        self.grouped = 0  # calls they carried

    async def write(self, call: Callable[[], T]) -> T:
        """Run ``call`` (which changes state) in the next group; return once it is durable."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._enqueue(call, future)
        return await future

    async def read(self, call: Callable[[], T]) -> T:
        """Run ``call`` (which only reads) at once: on the loop, or for a networked store in
        a reader thread, so the loop never waits for the database."""
        if self._readers is None:
            return call()
        return await asyncio.get_running_loop().run_in_executor(self._readers, call)

    def defer(self, call: Callable[[], Any]) -> None:
        """Run ``call`` in the next group without anybody waiting for it (the journal's
        batches: written with the webhooks' changes, in their commit). An error it raises
        is logged, and undone alone."""
        self._enqueue(call, None)

    def _enqueue(self, call: Callable[[], Any], future: asyncio.Future[Any] | None) -> None:
        self._queue.append((call, future))
        if self.threaded:
            if self._running is None and self._scheduled is None:  # let this turn's burst join
                self._scheduled = asyncio.get_running_loop().call_soon(self._start_in_thread)
            return
        if len(self._queue) >= self._max_group:
            self.commit()
        elif self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_soon(self._when_unlocked)

    def _when_unlocked(self) -> None:
        """Run the group if no other writer holds the database; else try again shortly.

        Waiting for the lock would stall this whole event loop; retrying lets it go on
        reading and checking requests (which join the group) while another worker writes.
        After ``lock_timeout`` seconds of finding it taken, the waiting requests are
        answered 503.
        """
        self._scheduled = None
        loop = asyncio.get_running_loop()
        try:
            opened = self._store.begin_group(wait=False)
        except Exception as exc:  # StoreError, or a store already closed at shutdown
            log.warning("could not open a write transaction: %s", exc)
            self._fail(self._take(), exc)
            return
        if opened or not self._queue:
            self._locked_since = None
            self.commit()
            return
        if self._locked_since is None:
            self._locked_since = loop.time()
        if loop.time() - self._locked_since >= self._lock_timeout:
            self._locked_since = None
            self._fail(
                self._take(),
                TimeoutError(f"another writer held the database for more than {self._lock_timeout:g} s"),
            )
            return
        self._scheduled = loop.call_later(LOCK_RETRY_SECONDS, self._when_unlocked)

    # -- a networked store: one group at a time in the worker thread ----------------------
    def _start_in_thread(self) -> None:
        """Hand the waiting calls (at most ``max_group``) to the worker thread."""
        self._scheduled = None
        if self._running is not None or self._writer is None:
            return
        queue = self._take()
        if len(queue) > self._max_group:
            queue, self._queue = queue[: self._max_group], queue[self._max_group :]
        if not queue:
            return
        loop = asyncio.get_running_loop()
        running = self._writer.submit(self._run, queue)
        self._running = running
        running.add_done_callback(lambda done: loop.call_soon_threadsafe(self._finished, done, queue))

    def _finished(self, done: concurrent.futures.Future[Any], queue: _Queue) -> None:
        """On the loop: wake the group's handlers, start the next group."""
        if self._running is done:
            self._running = None
        self._settle(done, queue)
        if self._queue and self._running is None and self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_soon(self._start_in_thread)

    def _settle(self, done: concurrent.futures.Future[Any], queue: _Queue) -> None:
        if done.cancelled():
            self._fail(queue, StoreError("the group was cancelled at shutdown"))
            return
        failure = done.exception()
        if failure is not None:
            self._fail(queue, failure)
            return
        self._wake(done.result())

    @staticmethod
    def _wake(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
        """Answer each waiting handler with its call's result or error."""
        for future, result, error in outcomes:
            if future.done():  # cancelled while the group ran: applied, nobody to tell
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _run(self, queue: _Queue) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        """Run one group and commit it (in whichever thread calls it); the outcome of each
        call, or raise when the group could not run or commit (none of it happened)."""
        try:
            self._store.begin_group()
        except Exception as exc:  # StoreError, or a store already closed at shutdown
            log.warning("could not open a write transaction: %s", exc)
            raise
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        store_error: StoreError | None = None
        for call, future in queue:
            try:
                result = call()
            except Exception as exc:  # undone by its savepoint; raised in its handler
                if isinstance(exc, StoreError):
                    store_error = store_error or exc
                if future is None:
                    log.error("a deferred write failed: %r", exc)
                else:
                    outcomes.append((future, None, exc))
            else:
                if future is not None:
                    outcomes.append((future, result, None))
        try:
            self._store.commit_group()
        except Exception as exc:
            cause = store_error or exc  # SQLite may have undone the group before COMMIT
            log.error("a group of %d request(s) could not be committed: %s", len(queue), cause)
            raise cause from cause.__cause__  # its own cause (the database's error) stays
        self.groups += 1
        self.grouped += len(queue)
        return outcomes

    def _run_here(self, queue: _Queue) -> None:
        """Run one group on this thread and wake its handlers."""
        try:
            outcomes = self._run(queue)
        except Exception as exc:
            self._fail(queue, exc)
            return
        self._wake(outcomes)

    def _commit_here(self) -> None:
        """`commit` of a threaded group commit: wait for the group in flight, then run the
        waiting calls on this thread."""
        running = self._running
        if running is not None:
            concurrent.futures.wait([running])
            self._running = None
            self._settle(running, [])  # its own callback wakes its handlers
        queue = self._take()
        if queue:
            self._run_here(queue)

    def close(self) -> None:
        """Commit what waits and stop the worker threads (at shutdown)."""
        self.commit()
        for pool in (self._writer, self._readers):
            if pool is not None:
                pool.shutdown(wait=True)

    def _take(self) -> list[tuple[Callable[[], Any], asyncio.Future[Any] | None]]:
        """The waiting calls (cancelled ones dropped); the queue is empty afterwards."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        queue = [(call, future) for call, future in self._queue if future is None or not future.cancelled()]
        self._queue = []
        return queue

    def commit(self) -> None:
        """Run the waiting calls now, in one transaction, and wake their handlers.

        Waits for the write lock (at most the store's timeout) if another process holds it:
        the admin API, a full group and shutdown come here directly.
        """
        if self.threaded:
            self._commit_here()
            return
        queue = self._take()
        if not queue:
            if self._store.in_group:  # opened by _when_unlocked for calls since cancelled
                self._store.commit_group()
            return
        self._run_here(queue)  # the group is already open when _when_unlocked opened it

    @staticmethod
    def _fail(queue: list[tuple[Callable[[], Any], asyncio.Future[Any] | None]], exc: BaseException) -> None:
        for _, future in queue:
            if future is not None and not future.done():
                future.set_exception(_as_store_error(exc))


def _as_store_error(exc: BaseException) -> StoreError:
    """What a request whose group could not run is told: a `StoreError` naming the cause
    (a lock held past the timeout, a store closed at shutdown, ...)."""
    if isinstance(exc, StoreError):
        return exc
    error = StoreError(str(exc) or type(exc).__name__)
    error.__cause__ = exc
    return error
