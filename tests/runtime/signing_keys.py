"""Signing keys and self-signed certificates made in memory for the signed-message tests."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ocppwire.runtime.jws import PrivateKey, Signer, TrustedCertificates


def certificate(
    key: PrivateKey, common_name: str, *, valid_from: dt.timedelta = dt.timedelta(minutes=-5), days: int = 1
) -> x509.Certificate:
    """A self-signed certificate for ``key`` whose subject CN is ``common_name``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.now(dt.timezone.utc) + valid_from
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )


def ec_signer(common_name: str) -> Signer:
    """An ES256 signer (P-256 key) with a fresh self-signed certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    return Signer(key, certificate(key, common_name))


def rsa_signer(common_name: str, algorithm: str = "RS256", bits: int = 2048) -> Signer:
    """An RS256 / RS384 signer with a fresh self-signed certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return Signer(key, certificate(key, common_name), algorithm)


def trusting(*signers: Signer) -> TrustedCertificates:
    """A verifier that trusts exactly the certificates of ``signers``."""
    return TrustedCertificates(signer.certificate for signer in signers)
