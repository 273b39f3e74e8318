"""Work done on threads beside the run loop, through bounded queues: frames decoded ahead
(:class:`Prefetch`) and annotated frames drawn and encoded behind (:class:`Behind`), so that
decoding, drawing and encoding overlap with the pose model (which releases the GIL) instead of
adding to its time. Order is kept, memory is bounded by the queues' depth, and an error on a
thread is raised in the caller's thread where it would have been raised without threads."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL_S = 0.1  # how often a blocked thread looks whether it was asked to stop


class Prefetch(Iterator[T]):
    """Iterates ``items`` on a thread, at most ``depth`` items ahead of the caller. An
    exception raised by ``items`` is raised by ``next`` in its place, after the items before
    it. ``close`` stops the thread and waits for it (call it before closing what ``items``
    reads from)."""

    def __init__(self, items: Iterable[T], depth: int = 4, name: str = "coach-prefetch") -> None:
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(iter(items),), name=name,
                                         daemon=True)
        self._thread.start()

    def _run(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put(("item", item)):
                    return
            self._put(("end", None))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            self._put(("error", e))
        finally:
            close = getattr(items, "close", None)  # a generator: run its clean-up here
            if close is not None:
                close()

    def _put(self, entry: tuple[str, object]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == "item":
            return value  # type: ignore[return-value]
        self._done = True
        if kind == "error":
            raise value  # type: ignore[misc]
        raise StopIteration

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._done = True


class Behind(Generic[T]):
    """Calls ``work(item)`` on a thread for each item ``put``, in order, at most ``depth``
    items behind the caller. ``work`` returning False (a window's ``q``) sets ``stopped``. An
    exception in ``work`` stops the thread and is raised by the next ``put`` or by ``finish``.

    ``depth`` 0: no thread, ``work`` is called inside ``put`` (a window, which must be drawn
    from the thread that made it)."""

    def __init__(self, work: Callable[[T], bool], depth: int = 4,
                 name: str = "coach-behind") -> None:
        self.work = work
        self.stopped = False
        self._error: BaseException | None = None  # raised once in the caller's thread
        self._failed = False  # work failed or was aborted: drop the items left
        self._pending: list[T] = []  # put, but not yet queued (an interrupt came first)
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue[tuple[bool, T | None]] = queue.Queue(maxsize=max(1, depth))
        if depth > 0:
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            more, item = self._queue.get()
            if not more:
                return
            if self._failed:
                continue  # the run is ending: drop what is left
            try:
                if not self.work(item):  # type: ignore[arg-type]
                    self.stopped = True
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                self._error, self._failed = e, True

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def put(self, item: T) -> None:
        """Hand ``item`` over (blocking while ``depth`` items wait); raises what ``work``
        raised on an earlier item."""
        if self._thread is None:
            if not self.work(item):
                self.stopped = True
            return
        self._raise()
        self._pending.append(item)
        while True:
            try:
                self._queue.put((True, item), timeout=_POLL_S)
                break
            except queue.Full:
                self._raise()
        self._pending.clear()

    def finish(self) -> None:
        """Do the work on every item put so far (also one whose ``put`` was interrupted), stop
        the thread, and raise what ``work`` raised, if anything."""
        if self._thread is not None:
            pending, self._pending = self._pending, []
            for item in pending:
                self._queue.put((True, item))
            self._queue.put((False, None))
            self._thread.join()
            self._thread = None
        self._raise()

    def abort(self) -> None:
        """Stop at once, dropping what waits (after an error that ends the run anyway)."""
        if self._thread is None:
            return
        self._failed = True  # the thread drops what waits
        self._queue.put((False, None))
        self._thread.join()
        self._thread = None
        self._error = None
