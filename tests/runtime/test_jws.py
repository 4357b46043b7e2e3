"""The JWS layer (ocppwire.runtime.jws): RFC 7515 test vectors, keys and certificates, sign and verify."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ocppwire.runtime.jws import (
    Signer,
    JwsError,
    TrustedCertificates,
    b64url_decode,
    b64url_encode,
    sign_flattened,
    thumbprint,
    verify_flattened,
)

from .signing_keys import certificate, ec_signer, rsa_signer


def _int(b64: str) -> int:
    return int.from_bytes(b64url_decode(b64), "big")


# RFC 7515 Appendix A.3: the ES256 example, its P-256 key (A.3.1) and its JWS Compact Serialization.
A3_X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
A3_Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
A3_D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
A3_PROTECTED = "eyJhbGciOiJFUzI1NiJ9"  # {"alg":"ES256"}
A3_PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
A3_SIGNATURE = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
A3_PAYLOAD_BYTES = b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'


def a3_public_key() -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicNumbers(_int(A3_X), _int(A3_Y), ec.SECP256R1()).public_key()


def test_rfc7515_a3_es256_example_verifies_with_its_published_key() -> None:
    # The compact serialization's three segments are the flattened JSON serialization's members.
    jws = {"protected": A3_PROTECTED, "payload": A3_PAYLOAD, "signature": A3_SIGNATURE}
    assert verify_flattened(jws, a3_public_key(), "ES256") == A3_PAYLOAD_BYTES


def test_rfc7515_a3_example_with_one_bit_changed_does_not_verify() -> None:
    tampered = {"protected": A3_PROTECTED, "payload": A3_PAYLOAD, "signature": A3_SIGNATURE[:-1] + "A"}
    with pytest.raises(JwsError) as caught:
        verify_flattened(tampered, a3_public_key(), "ES256")
    assert caught.value.bad_signature
    other_payload = {"protected": A3_PROTECTED, "payload": b64url_encode(b'{"iss":"eve"}'), "signature": A3_SIGNATURE}
    with pytest.raises(JwsError):
        verify_flattened(other_payload, a3_public_key(), "ES256")


def test_rfc7515_a3_private_key_signs_what_its_public_key_verifies() -> None:
    key = ec.derive_private_key(_int(A3_D), ec.SECP256R1())
    assert key.public_key().public_numbers() == a3_public_key().public_numbers()  # the published pair
    jws = sign_flattened({"alg": "ES256"}, A3_PAYLOAD_BYTES, key)
    assert jws["protected"] == A3_PROTECTED  # {"alg":"ES256"} encodes exactly as in the RFC
    assert jws["payload"] == A3_PAYLOAD
    assert len(b64url_decode(jws["signature"])) == 64  # R || S, 32 bytes each (RFC 7518 §3.4), not DER
    assert verify_flattened(jws, a3_public_key(), "ES256") == A3_PAYLOAD_BYTES


def test_the_a3_example_is_refused_under_another_algorithm() -> None:
    jws = {"protected": A3_PROTECTED, "payload": A3_PAYLOAD, "signature": A3_SIGNATURE}
    with pytest.raises(ValueError, match="needs an RSA key"):
        verify_flattened(jws, a3_public_key(), "RS256")
    with pytest.raises(ValueError, match="not one of ES256, RS256, RS384"):
        verify_flattened(jws, a3_public_key(), "ES384")


def test_base64url_is_unpadded_and_strict() -> None:
    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"
    for bad in ("-_8=", "+/8", "a b", "é"):
        with pytest.raises(ValueError):
            b64url_decode(bad)


def test_thumbprint_is_the_sha256_of_the_der_certificate() -> None:
    signer = ec_signer("CS001")
    der = signer.certificate.public_bytes(serialization.Encoding.DER)
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert thumbprint(signer.certificate) == signer.thumbprint == expected
    assert len(expected) == 43


@pytest.mark.parametrize("algorithm", ["RS256", "RS384"])
def test_rsa_signatures_round_trip(algorithm: str) -> None:
    signer = rsa_signer("CSMS", algorithm)
    jws = signer.sign({"OCPPAction": "Reset", "OCPPMessageTypedId": 2}, b'{"type":"Immediate"}')
    public = signer.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    assert verify_flattened(jws, public, algorithm) == b'{"type":"Immediate"}'
    other = "RS384" if algorithm == "RS256" else "RS256"
    with pytest.raises(JwsError):  # the header names one algorithm; the verifier was told another
        verify_flattened(jws, public, other)


def test_a_signer_checks_its_key_and_certificate() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    assert Signer(p256, certificate(p256, "x")).algorithm == "ES256"
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ValueError, match="does not hold the public half"):
        Signer(p256, certificate(other, "x"))
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError, match="P-256"):
        Signer(p384, certificate(p384, "x"))
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError, match="at least 2048 bits"):
        Signer(small, certificate(small, "x"))
    with pytest.raises(ValueError, match="not one of"):
        Signer(p256, certificate(p256, "x"), "HS256")
    with pytest.raises(TypeError):
        Signer("not a key", certificate(p256, "x"))  # type: ignore[arg-type]


def test_a_signer_loads_from_pem() -> None:
    signer = ec_signer("CS001")
    key_pem = signer.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = signer.certificate.public_bytes(serialization.Encoding.PEM)
    loaded = Signer.from_pem(key_pem, cert_pem)
    assert loaded.thumbprint == signer.thumbprint and loaded.algorithm == "ES256"
    assert "key" not in repr(loaded).split("certificate")[0]  # the private key never shows in a repr


def test_trusted_certificates_find_by_thumbprint_and_only_while_valid() -> None:
    signer = ec_signer("CS001")
    now = [dt.datetime.now(dt.timezone.utc)]
    trusted = TrustedCertificates([signer.certificate], clock=lambda: now[0])
    assert trusted.certificate_for(signer.thumbprint) == signer.certificate
    assert trusted.certificate_for(ec_signer("other").thumbprint) is None
    now[0] += dt.timedelta(days=2)  # past notAfter
    assert trusted.certificate_for(signer.thumbprint) is None
    pem = signer.certificate.public_bytes(serialization.Encoding.PEM) + ec_signer("b").certificate.public_bytes(
        serialization.Encoding.PEM
    )
    assert len(TrustedCertificates.from_pem(pem)) == 2
    with pytest.raises(ValueError):
        TrustedCertificates([])
