"""JSON Web Signatures (RFC 7515) for OCPP: signing keys, trusted certificates, sign and verify.

This module is the cryptography behind signed OCPP messages (:mod:`.signing` holds the OCPP rules).
The JWS work itself — signing input, base64url, ECDSA ``r || s`` signatures, RSASSA-PKCS1-v1_5 —
is done by `joserfc <https://jose.authlib.org>`_ on top of ``cryptography``, never by hand. Both
come with the optional extra ``ocppwire[signing]``; importing this module without them raises an
``ImportError`` that says so.

OCPP 2.0.1 Part 4 §7.3 allows three algorithms only: ES256 (ECDSA on P-256 with SHA-256), RS256
and RS384 (RSASSA-PKCS1-v1_5 with SHA-256 / SHA-384). RSA keys must have at least 2048 bits
(RFC 7518 §3.3). A certificate is named by its ``x5t#S256`` thumbprint: the base64url SHA-256
hash of its DER encoding (RFC 7515 §4.1.8), which is what §7.4 asks signers to put in the header.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from joserfc import jws as _jws
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, RSAKey
    from joserfc.registry import HeaderParameter
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("signed OCPP messages need the optional dependencies: pip install 'ocppwire[signing]'") from exc

__all__ = [
    "ALGORITHMS",
    "MIN_RSA_BITS",
    "JwsError",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "TrustedCertificates",
    "b64url_decode",
    "b64url_encode",
    "sign_flattened",
    "thumbprint",
    "verify_flattened",
]

ALGORITHMS = ("ES256", "RS256", "RS384")
"""The JWS algorithms OCPP allows (Part 4 §7.3); every other ``alg`` is refused."""

MIN_RSA_BITS = 2048
"""Smallest RSA modulus accepted for RS256 / RS384, for signing and for verifying (RFC 7518 §3.3)."""

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

# The size limits joserfc applies by default (128 kB of payload) are below an OCPP frame's; the frame
# size is already bounded by the transport (max_message_size), so the JWS limits only need to let
# any frame through. The header limit stays small: an OCPP protected header is about 150 bytes.
_MAX_PAYLOAD = 64 * 2**20
_MAX_HEADER = 4096
_OCPP_HEADERS = {
    "OCPPAction": HeaderParameter("OCPP action", "str"),
    "OCPPMessageTypedId": HeaderParameter("OCPP message type (Part 4 §7.1 spelling)", "int"),
    "OCPPMessageTypeId": HeaderParameter("OCPP message type (common spelling)", "int"),
}


class JwsError(ValueError):
    """A JWS that cannot be used: malformed, or its signature does not verify (``bad_signature``)."""

    def __init__(self, message: str, *, bad_signature: bool = False) -> None:
        super().__init__(message)
        self.bad_signature = bad_signature


def _registry(algorithm: str) -> _jws.JWSRegistry:
    registry = _jws.JWSRegistry(header_registry=_OCPP_HEADERS, algorithms=[algorithm], strict_check_header=False)
    registry.max_payload_length = _MAX_PAYLOAD
    registry.max_header_length = _MAX_HEADER
    return registry


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: str) -> bytes:
    """The bytes of base64url text without padding (RFC 7515 §2); ``ValueError`` for anything else."""
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(certificate: x509.Certificate) -> str:
    """The ``x5t#S256`` of a certificate: base64url of the SHA-256 of its DER encoding."""
    return b64url_encode(hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest())


def _check_public_key(key: object, algorithm: str) -> None:
    """Raise ``ValueError`` unless ``key`` may sign or verify with ``algorithm``."""
    if algorithm == "ES256":
        if not isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise ValueError("ES256 needs a P-256 (secp256r1) key")
    elif algorithm in ("RS256", "RS384"):
        if not isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
            raise ValueError(f"{algorithm} needs an RSA key")
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"{algorithm} needs an RSA key of at least {MIN_RSA_BITS} bits, got {key.key_size}")
    else:
        raise ValueError(f"algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}")


def _jose_key(key: PrivateKey | PublicKey) -> ECKey | RSAKey:
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return ECKey.import_key(key)
    return RSAKey.import_key(key)


@dataclass(frozen=True)
class Signer:
    """A signing key and its certificate: what one side signs its OCPP messages with.

    ``algorithm`` defaults to ES256 for a P-256 key and RS256 for an RSA key (RS384 on request).
    The certificate must hold the key's public half; its thumbprint goes into every signature's
    ``x5t#S256`` so the receiver can find it. Checked when the object is built.
    """

    key: PrivateKey = field(repr=False)
    certificate: x509.Certificate
    algorithm: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise TypeError("Signer.key must be an EC (P-256) or RSA private key from cryptography")
        algorithm = self.algorithm or ("ES256" if isinstance(self.key, ec.EllipticCurvePrivateKey) else "RS256")
        _check_public_key(self.key, algorithm)
        mine = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        theirs = self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if mine != theirs:
            raise ValueError("Signer.certificate does not hold the public half of Signer.key")
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "_thumbprint", thumbprint(self.certificate))
        object.__setattr__(self, "_jose", _jose_key(self.key))

    @classmethod
    def from_pem(
        cls, key_pem: bytes, certificate_pem: bytes, *, password: bytes | None = None, algorithm: str = ""
    ) -> Signer:
        """A signer from a PEM private key (optionally encrypted) and a PEM certificate."""
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise ValueError("the private key is neither an EC nor an RSA key")
        return cls(key, x509.load_pem_x509_certificate(certificate_pem), algorithm)

    @property
    def thumbprint(self) -> str:
        """The ``x5t#S256`` of :attr:`certificate`."""
        value: str = self.__dict__["_thumbprint"]
        return value

    def sign(self, header: Mapping[str, Any], payload: bytes) -> dict[str, str]:
        """The flattened JWS JSON serialization of ``payload`` under a protected header of ``header``
        plus ``alg`` and ``x5t#S256``."""
        protected = {"alg": self.algorithm, **header, "x5t#S256": self.thumbprint}
        return sign_flattened(protected, payload, self.__dict__["_jose"])


def sign_flattened(protected: Mapping[str, Any], payload: bytes, key: Any) -> dict[str, str]:
    """Sign ``payload`` (RFC 7515 §7.2.2, flattened JSON serialization) with ``key`` (a joserfc
    or cryptography key) under the protected header ``protected``, which names the algorithm."""
    algorithm = protected["alg"]
    if isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        _check_public_key(key, algorithm)
        key = _jose_key(key)
    signed = _jws.serialize_json({"protected": dict(protected)}, payload, key, registry=_registry(algorithm))
    return {"protected": signed["protected"], "payload": signed["payload"], "signature": signed["signature"]}


def verify_flattened(value: Mapping[str, Any], public_key: PublicKey, algorithm: str) -> bytes:
    """The payload of a flattened JWS whose signature ``public_key`` verifies with ``algorithm``.

    Raises :class:`JwsError` (``bad_signature`` set when everything is well-formed but the
    signature is wrong) and ``ValueError`` when the key does not fit the algorithm.
    """
    _check_public_key(public_key, algorithm)
    try:
        flattened = cast("_jws.FlattenedJSONSerialization", dict(value))
        result = _jws.deserialize_json(flattened, _jose_key(public_key), registry=_registry(algorithm))
    except JoseError as exc:
        bad = exc.error == "bad_signature"
        raise JwsError(
            "signature does not verify" if bad else f"unusable JWS: {exc.error}", bad_signature=bad
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise JwsError(f"unusable JWS: {type(exc).__name__}") from None
    payload: bytes = result.payload
    return payload


Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class TrustedCertificates:
    """The certificates whose signatures a connection accepts, looked up by ``x5t#S256``.

    Part 4 §7.4 leaves open how a receiver finds the signing certificate from its hash; this is
    the simplest answer: a fixed set, given up front (pinning). A certificate outside its
    validity period is not returned, so its signatures are refused like an unknown key's.
    Implement :class:`ocppwire.runtime.signing.Verifier` for another lookup (a database, a CA).
    """

    def __init__(self, certificates: Iterable[x509.Certificate], *, clock: Clock = _utcnow) -> None:
        self._by_thumbprint: dict[str, x509.Certificate] = {}
        for certificate in certificates:
            if not isinstance(certificate, x509.Certificate):
                raise TypeError("TrustedCertificates takes cryptography x509.Certificate objects")
            self._by_thumbprint[thumbprint(certificate)] = certificate
        if not self._by_thumbprint:
            raise ValueError("TrustedCertificates needs at least one certificate")
        self._clock = clock

    @classmethod
    def from_pem(cls, pem: bytes, *, clock: Clock = _utcnow) -> TrustedCertificates:
        """Every certificate in a PEM bundle."""
        return cls(x509.load_pem_x509_certificates(pem), clock=clock)

    def __len__(self) -> int:
        return len(self._by_thumbprint)

    def certificate_for(self, thumbprint: str) -> x509.Certificate | None:
        """The trusted certificate with this ``x5t#S256``, if it is valid now; else ``None``."""
        certificate = self._by_thumbprint.get(thumbprint)
        if certificate is None:
            return None
        now = self._clock()
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            return None
        return certificate
