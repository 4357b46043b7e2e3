"""Signed OCPP messages (OCPP-J 2.0.1 Part 4 §7): the rules, the per-connection settings, and who signed.

A signed message keeps its Message Type Number and messageId; a CALL's action gains the suffix
``-Signed`` and the payload becomes a JWS in the flattened JSON serialization (RFC 7515 §7.2.2)::

    [2, "19223201", "BootNotification",        {"reason": "PowerUp", ...}]
    [2, "19223201", "BootNotification-Signed", {"protected": "...", "payload": "...", "signature": "..."}]

The JWS payload is the original payload; the protected header carries ``OCPPAction`` (the action
without the suffix), ``OCPPMessageTypedId`` (the Message Type Number; §7.1 spells it this way) and
``x5t#S256`` (the thumbprint of the signing certificate, §7.4). A CALLRESULT to a signed CALL is
signed the same way, with message type 3 and the action of the CALL it answers.

This module decides what a signed payload must look like and which CALLERROR each fault gets; the
cryptography lives in :mod:`.jws` (optional extra ``ocppwire[signing]``). It imports neither
``cryptography`` nor ``joserfc`` (nor :mod:`.jws`) until a signed payload actually arrives, so the
protocol core can use it on installations without the extra. The choices the specification leaves open are listed
in docs/runtime.md ("Signed messages").
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from .errors import MAX_DESCRIPTION_LENGTH, FormatViolationError, OcppError, SecurityError

if TYPE_CHECKING:
    from cryptography import x509

    from .jws import Signer

__all__ = [
    "ACTION_HEADER",
    "MESSAGE_TYPE_HEADER",
    "MESSAGE_TYPE_HEADER_ALIAS",
    "SIGNED_SUFFIX",
    "THUMBPRINT_HEADER",
    "SignedBy",
    "SigningConfig",
    "Verifier",
    "base_action",
    "open_signed",
    "request_signature",
    "seal",
    "signed_action",
]

SIGNED_SUFFIX = "-Signed"
"""Appended to the action of a signed CALL (``BootNotification`` → ``BootNotification-Signed``)."""
ACTION_HEADER = "OCPPAction"
"""Protected header field naming the OCPP action (without the suffix)."""
MESSAGE_TYPE_HEADER = "OCPPMessageTypedId"
"""Protected header field with the Message Type Number, spelled as Part 4 §7.1 spells it; we write it."""
MESSAGE_TYPE_HEADER_ALIAS = "OCPPMessageTypeId"
"""The spelling some implementations use instead; accepted on receipt (it must agree if both are present)."""
THUMBPRINT_HEADER = "x5t#S256"
"""Protected header field naming the signing certificate by the SHA-256 of its DER encoding."""

_MEMBERS = frozenset({"protected", "payload", "signature"})
_OPTIONAL_MEMBERS = frozenset({"header"})
_PROTECTED_ONLY = frozenset(
    {"alg", "crit", "b64", "OCPPAction", "OCPPMessageTypedId", "OCPPMessageTypeId", "x5t#S256", "x5c", "jwk", "kid"}
)
_ALGORITHMS = ("ES256", "RS256", "RS384")  # jws.ALGORITHMS, restated so this module needs no cryptography


def signed_action(action: str) -> str:
    """The action of the signed form of a CALL of ``action``."""
    return action + SIGNED_SUFFIX


def base_action(action: str) -> str | None:
    """``BootNotification`` for ``BootNotification-Signed``; ``None`` for an action without the suffix."""
    if action.endswith(SIGNED_SUFFIX) and len(action) > len(SIGNED_SUFFIX):
        return action[: -len(SIGNED_SUFFIX)]
    return None


class Verifier(Protocol):
    """Finds the certificate a signature names by its ``x5t#S256``, or ``None`` when it is not trusted.

    :class:`ocppwire.runtime.jws.TrustedCertificates` is the ready-made one (a fixed set of
    certificates); Part 4 §7.4 leaves the lookup to the implementation, so any object with this
    method will do.
    """

    def certificate_for(self, thumbprint: str) -> x509.Certificate | None: ...


@dataclass(frozen=True)
class SignedBy:
    """A verified signature: who signed an incoming message, and how.

    A handler gets it from :func:`request_signature`; an event of the protocol core carries it
    as ``signature``.
    """

    certificate: x509.Certificate
    """The trusted certificate whose key made the signature."""
    thumbprint: str
    """Its ``x5t#S256``."""
    algorithm: str
    """``ES256``, ``RS256`` or ``RS384``."""
    header: Mapping[str, Any] = field(repr=False)
    """The whole protected header, as sent."""

    @property
    def subject(self) -> str:
        """The signer's certificate subject (RFC 4514 string, e.g. ``CN=CS001,O=Example``)."""
        return self.certificate.subject.rfc4514_string()


@dataclass(frozen=True, kw_only=True)
class SigningConfig:
    """Signed messages on one connection: who we trust, what we sign with, and when.

    With a config, incoming ``<Action>-Signed`` CALLs are verified against ``verifier`` and then
    handled like the unsigned CALL (a bad signature gets CALLERROR SecurityError and reaches no
    handler), signed CALLRESULTs are verified the same way, and a signed CALL is answered with a
    signed CALLRESULT when there is a ``signer``. Without one (the default), ``-Signed`` actions
    are unknown actions (NotImplemented).
    """

    verifier: Verifier
    """Finds trusted certificates by thumbprint (:class:`ocppwire.runtime.jws.TrustedCertificates`)."""
    signer: Signer | None = None
    """Our key and certificate (:class:`ocppwire.runtime.jws.Signer`); needed to sign anything."""
    sign_calls: bool | frozenset[str] = False
    """Sign our outgoing CALLs: all of them (``True``), those of the actions named, or none. A call
    can override it (``peer.call(spec, req, sign=True)``)."""
    require_signed: bool | frozenset[str] = False
    """Refuse unsigned incoming CALLs (all, or of the actions named) with SecurityError."""

    def __post_init__(self) -> None:
        if not callable(getattr(self.verifier, "certificate_for", None)):
            raise TypeError("SigningConfig.verifier needs a certificate_for(thumbprint) method")
        if self.sign_calls and self.signer is None:
            raise ValueError("SigningConfig.sign_calls needs a signer")
        for name in ("sign_calls", "require_signed"):
            value = getattr(self, name)
            if not isinstance(value, (bool, frozenset)):
                raise TypeError(f"SigningConfig.{name} must be a bool or a frozenset of action names")

    def signs_call(self, action: str, sign: bool | None = None) -> bool:
        """Whether a CALL of ``action`` goes out signed (``sign`` is the per-call choice, if any)."""
        wanted = _covers(self.sign_calls, action) if sign is None else sign
        if wanted and self.signer is None:
            raise ValueError(f"cannot sign {action}: the connection's SigningConfig has no signer")
        return wanted

    def requires_signature(self, action: str) -> bool:
        """Whether an incoming CALL of ``action`` must be signed."""
        return _covers(self.require_signed, action)


def _covers(setting: bool | frozenset[str], action: str) -> bool:
    return setting if isinstance(setting, bool) else action in setting


def _shown(value: object, limit: int = MAX_DESCRIPTION_LENGTH // 5) -> str:
    """A peer-supplied value for an error description: repr'd (so it is escaped) and shortened."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


_object_decoder = msgspec.json.Decoder(dict[str, Any])


def open_signed(raw: bytes, *, action: str, message_type: int, verifier: Verifier) -> tuple[bytes, SignedBy]:
    """Check a signed payload against the frame that carried it; return the inner payload and its signer.

    ``raw`` is the frame's payload (the JWS), ``action`` the OCPP action it must name (for a
    CALLRESULT: the action of the call it answers) and ``message_type`` its Message Type Number.
    Raises :class:`FormatViolationError` when the payload is not a flattened JWS of a JSON payload,
    and :class:`SecurityError` for everything about trust: an algorithm outside ES256/RS256/RS384,
    critical header parameters, a header that disagrees with the frame, no or an unknown
    ``x5t#S256``, a certificate whose key does not fit the algorithm, a signature that does not verify.
    """
    try:
        value = _object_decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise FormatViolationError("signed payload is not a JSON object (a flattened JWS is expected)") from None
    members = set(value)
    if "signatures" in members:
        raise FormatViolationError("signed payload uses the general JWS serialization; OCPP uses the flattened one")
    missing = _MEMBERS - members
    extra = members - _MEMBERS - _OPTIONAL_MEMBERS
    if missing or extra:
        problem = f"lacks {sorted(missing)}" if missing else f"has unexpected members {_shown(sorted(extra))}"
        raise FormatViolationError(f"signed payload is not a flattened JWS: it {problem}")
    for member in _MEMBERS:
        if not isinstance(value[member], str):
            raise FormatViolationError(f"signed payload: JWS member {member!r} is not a string")
    if "header" in value and not isinstance(value["header"], dict):
        raise FormatViolationError("signed payload: JWS member 'header' is not an object")
    header = _protected_header(value["protected"])
    algorithm = _check_header(header, action=action, message_type=message_type)
    unprotected = set(value.get("header", ())) & (set(header) | _PROTECTED_ONLY)
    if unprotected:  # RFC 7515 §7.2.1: disjoint; and nothing that decides trust may travel unsigned
        raise SecurityError(
            f"JWS unprotected header sets {_shown(sorted(unprotected))}; they belong in the protected one"
        )
    thumbprint = header[THUMBPRINT_HEADER]
    certificate = verifier.certificate_for(thumbprint)
    if certificate is None:
        raise SecurityError(f"no trusted certificate has x5t#S256 {_shown(thumbprint)}")

    from . import jws  # the cryptography, loaded on the first signature checked

    try:
        payload = jws.verify_flattened(value, certificate.public_key(), algorithm)  # type: ignore[arg-type]
    except jws.JwsError as exc:
        raise SecurityError(f"{action} {'signature does not verify' if exc.bad_signature else exc}") from None
    except ValueError as exc:
        raise SecurityError(f"the certificate named by x5t#S256 cannot check {algorithm}: {exc}") from None
    try:
        payload.decode("utf-8")
        msgspec.json.decode(payload)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise FormatViolationError("the signed JWS payload is not UTF-8 JSON") from None
    return payload, SignedBy(certificate, thumbprint, algorithm, header)


def _protected_header(segment: str) -> dict[str, Any]:
    from .jws import b64url_decode

    try:
        header = _object_decoder.decode(b64url_decode(segment))
    except (ValueError, msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        raise FormatViolationError(
            "signed payload: the JWS protected header is not base64url of a JSON object"
        ) from None
    return header


def _check_header(header: Mapping[str, Any], *, action: str, message_type: int) -> str:
    """The algorithm of a protected header that agrees with its frame; SecurityError otherwise."""
    algorithm = header.get("alg")
    if algorithm not in _ALGORITHMS:
        raise SecurityError(f"JWS alg {_shown(algorithm)} is not allowed (ES256, RS256, RS384)")
    for name in ("crit", "b64"):
        if name in header:
            raise SecurityError(f"JWS header parameter {name!r} is not supported")
    named = header.get(ACTION_HEADER)
    if named != action:
        raise SecurityError(f"JWS header {ACTION_HEADER} {_shown(named)} does not match the action {_shown(action)}")
    types = [header[key] for key in (MESSAGE_TYPE_HEADER, MESSAGE_TYPE_HEADER_ALIAS) if key in header]
    if not types or any(type(value) is not int or value != message_type for value in types):
        shown = _shown(types[0]) if len(types) == 1 else _shown(types) if types else "missing"
        raise SecurityError(
            f"JWS header {MESSAGE_TYPE_HEADER} ({shown}) does not match the message type {message_type}"
        )
    thumbprint = header.get(THUMBPRINT_HEADER)
    if not isinstance(thumbprint, str) or not thumbprint:
        raise SecurityError(f"JWS header has no {THUMBPRINT_HEADER}: the signing certificate cannot be found")
    return str(algorithm)


def seal(signer: Signer, *, action: str, message_type: int, payload: bytes) -> bytes:
    """The signed form of a payload (our CALL or CALLRESULT): a flattened JWS as JSON bytes."""
    jws = signer.sign({ACTION_HEADER: action, MESSAGE_TYPE_HEADER: message_type}, payload)
    return msgspec.json.encode(jws)


_REQUEST_SIGNATURE: ContextVar[SignedBy | None] = ContextVar("ocppwire_request_signature", default=None)


def request_signature() -> SignedBy | None:
    """Who signed the incoming CALL the running handler answers; ``None`` when it was not signed.

    Valid inside a handler method (each incoming CALL runs in a task of its own, so concurrent
    handlers each see their own request's signature)::

        async def boot_notification(self, station, req):
            signed = request_signature()
            if signed is not None:
                log.info("boot signed by %s", signed.subject)
    """
    return _REQUEST_SIGNATURE.get()


def set_request_signature(signature: SignedBy | None) -> None:
    """Record the signature of the CALL the current task handles (used by the session)."""
    _REQUEST_SIGNATURE.set(signature)


def unsigned_refusal(action: str) -> OcppError:
    """The error for an unsigned CALL that ``require_signed`` covers."""
    return SecurityError(f"{action} must be signed ({signed_action(action)})")
