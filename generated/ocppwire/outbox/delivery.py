"""The outbox: what a Charging Station must report is stored before it is sent, and sent until answered.

A station calls :meth:`Outbox.submit` (or awaits :meth:`Outbox.call`) instead of calling the CSMS
directly. Durable messages — every TransactionEventRequest, any message submitted with
``durable=True``, and every message while ``OCPPCommCtrlr.QueueAllMessages`` is true — are written
to the :class:`~ocppwire.outbox.queue.DurableQueue` first; one delivery task then sends them in
creation order, one at a time, whenever the station is connected, and deletes each one only when
the CSMS answered it. What that gives (OCPP 2.0.1 E, offline behaviour):

- a station offline, restarted or killed keeps its queue; delivery resumes in order on reconnect;
- TransactionEvent ``seqNo`` is assigned here, per transaction, from a counter kept in the same
  database transaction as the row, so it is continuous across crashes; ``offline`` is set to true
  on events created while the station had no connection;
- a CALLERROR answer counts a failed attempt: the message is tried again after
  ``MessageAttemptInterval`` × attempts so far, and after ``MessageAttempts`` tries it is dropped —
  logged at WARNING and handed to the ``on_drop`` hook, never silently. Messages behind it wait,
  so order is kept;
- a lost connection or a timeout is not a failed attempt: the message stays first in line and is
  sent again once connected (after a timeout, ``MessageAttemptInterval`` later). (A CSMS that processed a message but whose answer was lost receives it
  twice; OCPP's delivery is at-least-once, and ``seqNo`` lets the CSMS spot the repeat.)

Messages that are not durable are sent at once through the current connection and raise
:class:`~ocppwire.runtime.exceptions.ConnectionClosedError` when there is none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from ocppwire.runtime.actions import ActionRegistry, ActionSpec
from ocppwire.runtime.errors import OcppError, OcppwireError
from ocppwire.runtime.exceptions import (
    CallTimeoutError,
    ConnectionClosedError,
    InvalidResponseError,
    RequestValidationError,
)
from ocppwire.runtime.payload import decode, encode
from ocppwire.storage import StationStore
from ocppwire.v201 import actions as v201_actions
from ocppwire.v201 import enums as e
from ocppwire.v201 import messages as m

from .queue import DurableQueue, QueuedMessage
from .settings import OutboxSettings

if TYPE_CHECKING:
    from ocppwire.devicemodel.store import DeviceModel

__all__ = ["DroppedMessage", "MessageDroppedError", "Outbox", "OutboxStats", "StationLink", "Submission"]

log = logging.getLogger("ocppwire.outbox")

_RECONNECT_POLL = 0.05
"""Seconds to wait before looking for a connection again after the current one failed a send."""


class StationLink(Protocol):
    """The station's connection as the outbox needs it: ``station.connect(...)`` returns one."""

    @property
    def connected(self) -> bool: ...

    async def wait_connected(self) -> Any: ...


class MessageDroppedError(OcppwireError):
    """A queued message was dropped after its last attempt; ``dropped`` says which and why."""

    def __init__(self, dropped: DroppedMessage) -> None:
        super().__init__(
            f"{dropped.action} (outbox id {dropped.id}) dropped after {dropped.attempts} attempts: {dropped.reason}"
        )
        self.dropped = dropped


@dataclass(frozen=True)
class DroppedMessage:
    """What the ``on_drop`` hook receives: the message, how often it was tried, and the last error."""

    id: int
    action: str
    payload: bytes
    attempts: int
    reason: str
    error: BaseException


@dataclass
class OutboxStats:
    """Counts since this :class:`Outbox` was created (the queue itself may hold older messages)."""

    queued: int = 0
    """Messages written to the durable queue."""
    delivered: int = 0
    """Queued messages the CSMS answered with a CALLRESULT (and that were then deleted)."""
    failed_attempts: int = 0
    """CALLERROR (or invalid) answers to queued messages."""
    resends: int = 0
    """Queued messages sent again after a lost connection or a timeout."""
    dropped: int = 0
    """Queued messages given up on after their last attempt (each one logged and reported)."""
    sent_directly: int = 0
    """Non-durable messages sent at once."""


@dataclass
class Submission:
    """A submitted message: its outbox ``id`` (``None`` if not durable) and its ``response`` future.

    The future resolves with the typed response when the CSMS answers during this process's life,
    or fails with :class:`MessageDroppedError`. After a restart, answers to messages submitted
    before it reach only the ``on_response`` hook.
    """

    id: int | None
    response: asyncio.Future[Any] = field(repr=False)


ResponseHook = Callable[[ActionSpec[Any, Any], Any, Any], None]
"""``on_response(spec, request, response)``: called for every answered queued message."""
DropHook = Callable[[DroppedMessage], None]


class Outbox:
    """Durable, ordered delivery of a station's messages (see the module docstring).

    ``device_model``, when given, supplies the retry settings (``OCPPCommCtrlr``) at every use;
    ``settings`` are the defaults for what it does not hold. Call :meth:`start` with the station
    connection once the station may send (after its BootNotification was accepted), and
    :meth:`close` before exiting.
    """

    def __init__(
        self,
        store: StationStore,
        *,
        device_model: DeviceModel | None = None,
        settings: OutboxSettings | None = None,
        actions: ActionRegistry = v201_actions.ACTIONS,
        on_response: ResponseHook | None = None,
        on_drop: DropHook | None = None,
    ) -> None:
        self.queue = DurableQueue(store)
        self.device_model = device_model
        self.defaults = settings or OutboxSettings()
        self.actions = actions
        self.on_response = on_response
        self.on_drop = on_drop
        self.stats = OutboxStats()
        self._link: StationLink | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._relinked = asyncio.Event()
        self._waiters: dict[int, asyncio.Future[Any]] = {}
        self._methods: dict[tuple[type[Any], str], str] = {}

    # ---- settings and state ------------------------------------------------------------------------
    @property
    def settings(self) -> OutboxSettings:
        """The settings in force now (device model values over the defaults)."""
        return self.defaults.read(self.device_model)

    @property
    def online(self) -> bool:
        """True while the attached station connection is open."""
        return self._link is not None and self._link.connected

    def __len__(self) -> int:
        """Messages waiting in the durable queue."""
        return len(self.queue)

    # ---- submitting --------------------------------------------------------------------------------
    def submit(self, request: Any, *, durable: bool = False) -> Submission:
        """Queue ``request`` durably (it is on disk when this returns) or, if not durable, send it now.

        TransactionEventRequests are always durable; their ``seqNo`` is replaced by the next number
        of their transaction and ``offline`` is set when the station is not connected.
        """
        spec = self.actions.for_request(type(request))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if not (durable or isinstance(request, m.TransactionEventRequest) or self.settings.queue_all_messages):
            self.stats.sent_directly += 1
            task = asyncio.get_running_loop().create_task(self._send_now(spec, request))
            task.add_done_callback(lambda done: _settle(future, done))
            return Submission(None, future)
        message_id = self._store(spec, request)
        self.stats.queued += 1
        self._waiters[message_id] = future
        self._wakeup.set()
        return Submission(message_id, future)

    async def call(self, request: Any, *, durable: bool = False) -> Any:
        """:meth:`submit`, then wait for the CSMS's answer (or :class:`MessageDroppedError`)."""
        return await self.submit(request, durable=durable).response

    def _store(self, spec: ActionSpec[Any, Any], request: Any) -> int:
        if not isinstance(request, m.TransactionEventRequest):
            return self.queue.push(spec.name, _validated(spec, request))
        offline = not self.online
        transaction_id = request.transaction_info.transaction_id

        def build(seq_no: int) -> bytes:
            changes: dict[str, Any] = {"seq_no": seq_no}
            if offline:
                changes["offline"] = True
            return _validated(spec, msgspec.structs.replace(request, **changes))

        ends = request.event_type is e.TransactionEventEnumType.ENDED
        return self.queue.push_sequenced(spec.name, transaction_id, build, ends_transaction=ends)

    async def _send_now(self, spec: ActionSpec[Any, Any], request: Any) -> Any:
        if not self.online or self._link is None:
            raise ConnectionClosedError(f"{spec.name} not sent: the station is offline and the message is not durable")
        peer = await self._connected_peer()
        return await self._method(peer, spec)(request)

    # ---- delivery ----------------------------------------------------------------------------------
    def start(self, link: StationLink) -> None:
        """Start delivering through ``link`` (the object ``station.connect(...)`` returned)."""
        self._link = link
        self._relinked.set()  # a delivery waiting on the previous link looks at this one
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver(), name="ocppwire-outbox")
        self._wakeup.set()

    async def close(self) -> None:
        """Stop delivering; queued messages stay in the store for the next start."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until the queue is empty (True) or ``timeout`` seconds passed (False)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while len(self.queue):
            if deadline is not None and loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def _deliver(self) -> None:
        while True:
            message = self.queue.head()
            if message is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            try:
                await self._deliver_one(message)
            except Exception:  # never let one bad message or hook stop delivery for good
                log.exception("outbox: delivering %s (id %d) failed; trying again", message.action, message.id)
                await asyncio.sleep(1.0)

    async def _deliver_one(self, message: QueuedMessage) -> None:
        assert self._link is not None
        try:
            spec = self.actions[message.action]
            request = decode(spec.request, message.payload)
        except (KeyError, msgspec.DecodeError) as exc:  # written by another version with other rules
            self._drop(message, message.attempts, "the stored request is no longer valid", exc)
            return
        peer = await self._connected_peer()
        try:
            response = await self._method(peer, spec)(request)
        except (ConnectionClosedError, CallTimeoutError, ConnectionError) as exc:
            self.stats.resends += 1
            log.info("outbox: %s (id %d) not answered (%s); sending it again", spec.name, message.id, exc)
            # After a timeout the CSMS is up but slow (or the link silently dead): give it the retry
            # interval before sending the same message again. A closed connection just waits for the next one.
            timed_out = isinstance(exc, CallTimeoutError)
            await asyncio.sleep(self.settings.retry_delay(1) if timed_out else _RECONNECT_POLL)
            return
        except RequestValidationError as exc:
            self._drop(message, message.attempts, "the request does not pass validation", exc)
            return
        except (OcppError, InvalidResponseError) as exc:
            self.stats.failed_attempts += 1
            attempts = self.queue.record_attempt(message.id)
            settings = self.settings
            if attempts >= settings.message_attempts:
                self._drop(message, attempts, f"CSMS answered with {_describe(exc)}", exc)
                return
            delay = settings.retry_delay(attempts)
            log.info(
                "outbox: %s (id %d) failed attempt %d of %d (%s); retrying in %.1f s",
                spec.name,
                message.id,
                attempts,
                settings.message_attempts,
                _describe(exc),
                delay,
            )
            await asyncio.sleep(delay)
            return
        self.queue.remove(message.id)
        self.stats.delivered += 1
        waiter = self._waiters.pop(message.id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(response)
        if self.on_response is not None:
            try:
                self.on_response(spec, request, response)
            except Exception:
                log.exception("outbox: on_response hook failed for %s (id %d)", spec.name, message.id)

    async def _connected_peer(self) -> Any:
        """The CSMS client of the current link, waiting for a connection — on a link given later too."""
        while True:
            link = self._link
            assert link is not None
            self._relinked.clear()
            waiting = asyncio.ensure_future(link.wait_connected())
            relinked = asyncio.ensure_future(self._relinked.wait())
            try:
                await asyncio.wait([waiting, relinked], return_when=asyncio.FIRST_COMPLETED)
            finally:
                relinked.cancel()
                if not waiting.done():
                    waiting.cancel()
            if waiting.done() and not waiting.cancelled() and waiting.exception() is None:
                return waiting.result()

    def _drop(self, message: QueuedMessage, attempts: int, reason: str, error: BaseException) -> None:
        self.queue.remove(message.id)
        self.stats.dropped += 1
        dropped = DroppedMessage(message.id, message.action, message.payload, attempts, reason, error)
        log.warning("outbox: dropped %s (id %d) after %d attempts: %s", message.action, message.id, attempts, reason)
        waiter = self._waiters.pop(message.id, None)
        if waiter is not None and not waiter.done():
            waiter.set_exception(MessageDroppedError(dropped))
        if self.on_drop is not None:
            try:
                self.on_drop(dropped)
            except Exception:
                log.exception("outbox: on_drop hook failed for %s (id %d)", message.action, message.id)

    def _method(self, peer: Any, spec: ActionSpec[Any, Any]) -> Callable[[Any], Any]:
        """The peer's typed method for an action (``TransactionEvent`` → ``peer.transaction_event``)."""
        key = (type(peer), spec.name)
        name = self._methods.get(key)
        if name is None:
            wanted = spec.name.lower()
            for candidate in dir(type(peer)):
                if not candidate.startswith("_") and candidate.replace("_", "").lower() == wanted:
                    name = self._methods[key] = candidate
                    break
            else:
                raise TypeError(f"{type(peer).__name__} has no method for {spec.name}")
        method: Callable[[Any], Any] = getattr(peer, name)
        return method


def _validated(spec: ActionSpec[Any, Any], request: Any) -> bytes:
    """The encoded request, checked against its schema now rather than at delivery time."""
    payload = encode(request)
    decode(spec.request, payload)
    return payload


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return f"{code}: {exc}" if code else f"{type(exc).__name__}: {exc}"


def _settle(future: asyncio.Future[Any], done: asyncio.Task[Any]) -> None:
    if future.done():
        return
    if done.cancelled():
        future.cancel()
    elif (error := done.exception()) is not None:
        future.set_exception(error)
    else:
        future.set_result(done.result())
