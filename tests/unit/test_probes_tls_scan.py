"""P1.2 TLS configuration verdicts over sslyze-like results (own small dataclasses)."""

import socket

import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.probes import tls_scan
from staging_gate.probes.tls_scan import ChainCert, Deployment, TlsScan

GOOD_12 = ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
           "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
GOOD_13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
LEAF = ChainCert("CN=localhost", "CN=Intermediate CA", is_ca=False)
INTERMEDIATE = ChainCert("CN=Intermediate CA", "CN=Root CA", is_ca=True)
ROOT = ChainCert("CN=Root CA", "CN=Root CA", is_ca=True)
INTERMEDIATE_RULES = tls_scan.mozilla_rules("intermediate")
SENT = (Deployment((LEAF, INTERMEDIATE)),)
BOTH = ["TLSv1.2", "TLSv1.3"]


def scanned(accepted=None, curves=("X25519", "secp256r1", "secp384r1"), issues=None,
            deployments=SENT, unmeasured=()) -> TlsScan:
    protocols = {"SSLv2": (), "SSLv3": (), "TLSv1": (), "TLSv1.1": (), "TLSv1.2": GOOD_12,
                 "TLSv1.3": GOOD_13}
    return TlsScan("staging.test:443", {**protocols, **(accepted or {})}, curves,
                   deployments, issues if issues is not None else {}, unmeasured)


# --- protocols -----------------------------------------------------------------------------


def test_protocols_below_the_minimum():
    assert tls_scan.protocols_below("TLSv1.2") == ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
    assert tls_scan.protocols_below("TLSv1.3")[-1] == "TLSv1.2"


@pytest.mark.parametrize(
    ("accepted", "minimum", "legacy", "modern"),
    [
        ({}, "TLSv1.2", [], BOTH),
        ({"TLSv1": ("TLS_RSA_WITH_AES_128_CBC_SHA",)}, "TLSv1.2", ["TLSv1"], BOTH),
        ({"SSLv3": ("TLS_RSA_WITH_RC4_128_SHA",)}, "TLSv1.2", ["SSLv3"], BOTH),
        ({}, "TLSv1.3", ["TLSv1.2"], ["TLSv1.3"]),
        ({"TLSv1.2": (), "TLSv1.3": ()}, "TLSv1.2", [], []),
    ],
)
def test_legacy_and_modern_protocols(accepted, minimum, legacy, modern):
    scan = scanned(accepted)
    assert tls_scan.legacy_accepted(scan, minimum) == legacy
    assert tls_scan.modern_accepted(scan, minimum) == modern


def test_a_protocol_sslyze_could_not_measure_is_not_a_refusal():
    scan = scanned({"TLSv1": None}, unmeasured=("TLSv1 cipher suites",))
    assert tls_scan.legacy_accepted(scan, "TLSv1.2") == []
    assert tls_scan.unmeasured_protocols(scan, ["TLSv1", "TLSv1.1"]) == ["TLSv1"]
    assert tls_scan.unmeasured_problem(scan, ["TLSv1"]) == (
        "sslyze could not measure TLSv1 cipher suites")
    assert tls_scan.unmeasured_problem(scan, ["elliptic curves"]) is None


# --- Mozilla profile ----------------------------------------------------------------------


def test_mozilla_rules_come_from_sslyze():
    assert INTERMEDIATE_RULES.protocols == {"TLSv1.2", "TLSv1.3"}
    assert set(GOOD_12) <= INTERMEDIATE_RULES.suites
    assert "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" not in INTERMEDIATE_RULES.suites
    assert INTERMEDIATE_RULES.curves == {"X25519", "secp256r1", "secp384r1"}
    assert tls_scan.mozilla_rules("modern").protocols == {"TLSv1.3"}


def test_a_compliant_server_has_no_mozilla_problems():
    assert tls_scan.mozilla_problems(scanned(), INTERMEDIATE_RULES) == []


@pytest.mark.parametrize(
    ("accepted", "curves", "problem"),
    [
        ({"TLSv1.2": (*GOOD_12, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")}, None,
         "accepts TLSv1.2 cipher suites 'intermediate' does not allow: "
         "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ({"TLSv1.2": (*GOOD_12, "TLS_RSA_WITH_AES_128_CCM",
                      "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
                      "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA")}, None,
         "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CCM, "
         "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
        ({}, ("X25519", "X448", "secp256r1", "secp521r1"),
         "accepts key-exchange curves 'intermediate' does not allow: X448, secp521r1"),
        ({"TLSv1.1": ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",)}, None,
         "accepts protocols 'intermediate' does not allow: TLSv1.1"),
        ({"TLSv1.3": (*GOOD_13, "TLS_AES_128_CCM_8_SHA256")}, None,
         "accepts TLSv1.3 cipher suites 'intermediate' does not allow: TLS_AES_128_CCM_8_SHA256"),
    ],
)
def test_mozilla_problems_name_suites_curves_and_protocols(accepted, curves, problem):
    scan = scanned(accepted, curves=curves or ("X25519", "secp256r1"))
    assert any(problem in p for p in tls_scan.mozilla_problems(scan, INTERMEDIATE_RULES))


def test_sslyze_findings_are_kept_except_those_worded_or_judged_elsewhere():
    issues = {
        "tls_vulnerability_fallback_scsv": "Server is vulnerable to TLS downgrade attacks.",
        "rsa_key_size": "RSA key size is 1024, minimum allowed is 2048.",
        "ciphers": "Cipher suites {...} are supported, but should be rejected.",
        "certificate_path_validation": "Certificate path validation failed for CN=x.",
    }
    problems = tls_scan.mozilla_problems(scanned(issues=issues), INTERMEDIATE_RULES)
    assert problems == [
        "sslyze's 'intermediate' checker: RSA key size is 1024, minimum allowed is 2048.",
        "sslyze's 'intermediate' checker: Server is vulnerable to TLS downgrade attacks.",
    ]


# --- the chain as sent --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deployment", "problem"),
    [
        (Deployment((LEAF, INTERMEDIATE), valid_order=True, sends_anchor=False), None),
        (Deployment((LEAF,)), None),
        (Deployment((ChainCert("CN=x", "CN=x", False),)), None),  # self-signed leaf: trust check
        (Deployment((LEAF, INTERMEDIATE, ROOT)), "the chain sends the root CA (CN=Root CA)"),
        (Deployment((LEAF, INTERMEDIATE), sends_anchor=True),
         "the chain sends the root CA (CN=Intermediate CA)"),
        (Deployment((LEAF, ROOT, INTERMEDIATE)), "out of order"),
        (Deployment((LEAF, INTERMEDIATE), valid_order=False), "out of order"),
        (Deployment((INTERMEDIATE, LEAF)), "the first certificate sent is a CA"),
        (Deployment(()), "the server sent no certificate"),
    ],
)
def test_chain_problems(deployment, problem):
    found = tls_scan.chain_problems(deployment)
    assert found == [] if problem is None else any(problem in p for p in found), found


def test_sent_chain_problems_cover_every_deployment():
    both = scanned(deployments=(Deployment((LEAF,)), Deployment((LEAF, INTERMEDIATE, ROOT))))
    assert len(tls_scan.sent_chain_problems(both)) == 1
    assert tls_scan.sent_chain_problems(scanned(deployments=())) == [
        "the server sent no certificate"]


# --- scanning -------------------------------------------------------------------------------


def test_scan_of_a_closed_port_could_not_verify():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(CouldNotVerify, match="no TLS conversation"):
            tls_scan.scan("127.0.0.1", port, None, 2, "intermediate")


def test_evidence_is_plain_data():
    evidence = scanned({"TLSv1": None}).as_evidence()
    assert evidence["accepted_cipher_suites"]["TLSv1"] == "not measured"  # type: ignore[index]
    assert evidence["chains"][0]["chain"][0]["subject"] == "CN=localhost"  # type: ignore[index]
