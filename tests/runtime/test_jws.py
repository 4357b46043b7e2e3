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


# RFC 7520 §3.4 (Figure 4): the 2048-bit RSA key of the JOSE cookbook, and §4.1: its RS256 example.
RFC7520_RSA = {
    "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqV"
    "wGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde"
    "3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5g"
    "HdrNP5zw",
    "e": "AQAB",
    "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRld"
    "Y7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU"
    "6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOc"
    "OpBrQzwQ",
    "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmG"
    "peNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k",
    "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7an"
    "V5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc",
    "dp": "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn"
    "-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik",
    "dq": "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJK"
    "bi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8",
    "qi": "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDh"
    "jJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4",
}
RFC7520_PAYLOAD = (
    "It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your "
    "feet, there\u2019s no knowing where you might be swept off to."
).encode()
RFC7520_4_1 = {  # Figure 15: the flattened JWS JSON serialization
    "payload": "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9h"
    "ZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9m"
    "ZiB0by4",
    "protected": "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
    "signature": "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84w"
    "nB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9U"
    "zpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogore"
    "e7vjbU5y18kDquDg",
}


def rfc7520_key() -> rsa.RSAPrivateKey:
    k = {name: _int(value) for name, value in RFC7520_RSA.items()}
    public = rsa.RSAPublicNumbers(k["e"], k["n"])
    return rsa.RSAPrivateNumbers(k["p"], k["q"], k["d"], k["dp"], k["dq"], k["qi"], public).private_key()


def test_rfc7520_4_1_rs256_flattened_example_verifies() -> None:
    assert verify_flattened(RFC7520_4_1, rfc7520_key().public_key(), "RS256") == RFC7520_PAYLOAD


def test_rfc7520_4_1_is_reproduced_byte_for_byte() -> None:
    # RSASSA-PKCS1-v1_5 is deterministic: the same key, header and payload give the RFC's very signature.
    signed = sign_flattened({"alg": "RS256", "kid": "bilbo.baggins@hobbiton.example"}, RFC7520_PAYLOAD, rfc7520_key())
    assert signed == RFC7520_4_1


def test_rfc7520_example_does_not_verify_as_rs384_or_with_another_payload() -> None:
    with pytest.raises(JwsError):
        verify_flattened(RFC7520_4_1, rfc7520_key().public_key(), "RS384")
    changed = dict(RFC7520_4_1, payload=b64url_encode(RFC7520_PAYLOAD.replace(b"Frodo", b"Sam")))
    with pytest.raises(JwsError) as caught:
        verify_flattened(changed, rfc7520_key().public_key(), "RS256")
    assert caught.value.bad_signature
