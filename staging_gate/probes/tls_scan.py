"""P1.2: the server's TLS configuration as sslyze (6.x) sees it — protocols, cipher suites,
curves, the chain as sent, and Mozilla's server-side TLS profile.

sslyze does the scanning (in-process, in its own threads, with its own OpenSSL builds that
can still offer SSL 2.0 to TLS 1.1, so a refused legacy protocol really was refused). Its
results are copied into `TlsScan`, a plain value object; every verdict is a pure function of
that object and unit-tested. Rules:

- protocols below the profile's `tls.min_version` must be refused;
- Mozilla's server-side TLS configurations (guidelines 5.7, shipped with sslyze as
  ``sslyze/mozilla_tls_profile/5.7.json``): protocol versions, TLS 1.2 cipher suites (IANA
  names), TLS 1.3 suites and key-exchange curves outside the chosen configuration are named;
  sslyze's `check_server_against_tls_configuration` adds the rest (certificate type, key size,
  signature, lifespan, DH/ECDH sizes, TLS_FALLBACK_SCSV, secure renegotiation, extended master
  secret, compression, Heartbleed, CCS injection, ROBOT). Its certificate-path-validation
  finding is left to the chain check of P1.2 (which verifies against the profile's CA bundle),
  so one broken trust chain fails one check;
- the chain as sent (RFC 8446 §4.4.2, RFC 5246 §7.4.2): the server's certificate first, each
  next one its issuer, and no root CA (a self-signed CA, or sslyze's trust anchor) — clients
  hold roots already, sending one only costs bytes and hides a misconfigured chain file.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from sslyze.errors import ServerHostnameCouldNotBeResolved
from sslyze.mozilla_tls_profile.tls_config_checker import (
    SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    ServerScanResultIncomplete,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)
from sslyze.plugins.certificate_info.implementation import (
    CertificateInfoExtraArgument,
    CertificateInfoScanResult,
)
from sslyze.plugins.elliptic_curves_plugin import SupportedEllipticCurvesScanResult
from sslyze.plugins.openssl_cipher_suites.implementation import CipherSuitesScanResult
from sslyze.scanner.models import (
    AllScanCommandsAttempts,
    ScanCommandsExtraArguments,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
)
from sslyze.scanner.scan_command_attempt import ScanCommandAttemptStatusEnum
from sslyze.scanner.scanner import Scanner
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from staging_gate.errors import CouldNotVerify

# sslyze result field → the protocol name the profile uses, oldest first.
PROTOCOL_FIELDS: tuple[tuple[str, str], ...] = (
    ("ssl_2_0_cipher_suites", "SSLv2"),
    ("ssl_3_0_cipher_suites", "SSLv3"),
    ("tls_1_0_cipher_suites", "TLSv1"),
    ("tls_1_1_cipher_suites", "TLSv1.1"),
    ("tls_1_2_cipher_suites", "TLSv1.2"),
    ("tls_1_3_cipher_suites", "TLSv1.3"),
)
PROTOCOL_ORDER: tuple[str, ...] = tuple(name for _, name in PROTOCOL_FIELDS)
MOZILLA_PROFILES = ("modern", "intermediate", "old")
# sslyze checker keys this module words itself (named suites and curves), or leaves to the
# chain-verification check.
_OWN_KEYS = frozenset({"tls_versions", "ciphers", "ciphersuites", "tls_curves",
                       "certificate_path_validation"})


@dataclass(frozen=True)
class ChainCert:
    """One certificate of the chain as the server sent it."""

    subject: str
    issuer: str
    is_ca: bool

    @property
    def self_signed(self) -> bool:
        return self.subject == self.issuer


@dataclass(frozen=True)
class Deployment:
    """One certificate chain the server sends (servers may have an RSA and an ECDSA one)."""

    chain: tuple[ChainCert, ...]
    valid_order: bool | None = None  # sslyze: None when a certificate could not be parsed
    sends_anchor: bool | None = None  # sslyze: None when no verified chain could be built


@dataclass(frozen=True)
class MozillaRules:
    """What one Mozilla configuration allows (names as sslyze reports them)."""

    name: str
    protocols: frozenset[str]
    suites: frozenset[str]  # TLS 1.2 and older, IANA names
    tls13_suites: frozenset[str]
    curves: frozenset[str]  # SECG / RFC 8422 names: X25519, secp256r1, …


@dataclass(frozen=True)
class TlsScan:
    """What sslyze measured. `accepted[protocol]` is None when that protocol could not be
    measured, () when refused. `mozilla_issues` is sslyze's checker output ({} = compliant),
    None when the checker did not run (disabled, or results incomplete: see `unmeasured`)."""

    server: str
    accepted: Mapping[str, tuple[str, ...] | None]
    curves: tuple[str, ...] | None
    deployments: tuple[Deployment, ...] = ()
    mozilla_issues: Mapping[str, str] | None = None
    unmeasured: tuple[str, ...] = ()
    elapsed_seconds: float = 0.0

    def supported(self) -> list[str]:
        return [p for p in PROTOCOL_ORDER if self.accepted.get(p)]

    def as_evidence(self) -> dict[str, object]:
        return {
            "server": self.server,
            "accepted_cipher_suites": {p: list(s) if s is not None else "not measured"
                                       for p, s in self.accepted.items()},
            "curves": list(self.curves) if self.curves is not None else "not measured",
            "chains": [asdict(d) for d in self.deployments],
            "mozilla_issues": dict(self.mozilla_issues or {}),
            "unmeasured": list(self.unmeasured),
            "elapsed_seconds": round(self.elapsed_seconds, 2),
        }


# --- verdicts (pure) -----------------------------------------------------------------------


def protocols_below(minimum: str) -> tuple[str, ...]:
    """The protocol names older than `minimum` ("TLSv1.2" → SSLv2 … TLSv1.1)."""
    return PROTOCOL_ORDER[: PROTOCOL_ORDER.index(minimum)]


def unmeasured_protocols(scan: TlsScan, names: Iterable[str]) -> list[str]:
    return [name for name in names if scan.accepted.get(name) is None]


def legacy_accepted(scan: TlsScan, minimum: str) -> list[str]:
    """Protocols below `minimum` the server accepted (at least one suite negotiated)."""
    return [name for name in protocols_below(minimum) if scan.accepted.get(name)]


def modern_accepted(scan: TlsScan, minimum: str) -> list[str]:
    """Protocols at or above `minimum` the server accepted."""
    legacy = protocols_below(minimum)
    return [name for name in PROTOCOL_ORDER if name not in legacy and scan.accepted.get(name)]


def _named(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def mozilla_problems(scan: TlsScan, rules: MozillaRules) -> list[str]:
    """Everything that keeps the server out of Mozilla's `rules.name` configuration: named
    protocols, suites and curves first, then sslyze's remaining findings (certificate,
    key exchange sizes, vulnerabilities). Path validation is judged by the chain check."""
    problems: list[str] = []
    extra_protocols = [p for p in scan.supported() if p not in rules.protocols]
    if extra_protocols:
        problems.append(f"accepts protocols {rules.name!r} does not allow: "
                        f"{', '.join(extra_protocols)}")
    for protocol in scan.supported():
        allowed = rules.tls13_suites if protocol == "TLSv1.3" else rules.suites
        extra = set(scan.accepted.get(protocol) or ()) - allowed
        if extra and protocol in rules.protocols:
            problems.append(f"accepts {protocol} cipher suites {rules.name!r} does not allow: "
                            f"{_named(extra)}")
    if scan.curves is not None:
        extra_curves = set(scan.curves) - rules.curves
        if extra_curves:
            problems.append(f"accepts key-exchange curves {rules.name!r} does not allow: "
                            f"{_named(extra_curves)}")
    for key, text in sorted((scan.mozilla_issues or {}).items()):
        if key not in _OWN_KEYS:
            problems.append(f"sslyze's {rules.name!r} checker: {text}")
    return problems


def chain_problems(deployment: Deployment) -> list[str]:
    """The chain as sent: leaf first, each certificate issued by the next, no root CA."""
    chain = deployment.chain
    if not chain:
        return ["the server sent no certificate"]
    problems: list[str] = []
    if chain[0].is_ca:
        problems.append(f"the first certificate sent is a CA ({chain[0].subject}), "
                        "not the server's own certificate")
    names_out_of_order = any(chain[i].issuer != chain[i + 1].subject
                             for i in range(len(chain) - 1))
    if deployment.valid_order is False or (deployment.valid_order is None and names_out_of_order):
        order = " → ".join(cert.subject for cert in chain)
        problems.append(f"the chain is out of order ({order}); send the server's certificate "
                        "first, then each issuer")
    roots = [cert.subject for cert in chain[1:] if cert.self_signed]
    if roots or (deployment.sends_anchor and len(chain) > 1):
        shown = ", ".join(roots) or chain[-1].subject
        problems.append(f"the chain sends the root CA ({shown}); clients already hold the "
                        "root: remove it from the certificate file")
    return problems


def sent_chain_problems(scan_result: TlsScan) -> list[str]:
    """`chain_problems` over every certificate chain the server sends."""
    if not scan_result.deployments:
        return ["the server sent no certificate"]
    return [p for deployment in scan_result.deployments for p in chain_problems(deployment)]


# --- reading sslyze's results --------------------------------------------------------------


def mozilla_rules(name: str) -> MozillaRules:
    """Mozilla's configuration `name` ("modern", "intermediate", "old") as sslyze ships it."""
    config = MozillaTlsConfiguration.get(TlsConfigurationEnum(name))
    return MozillaRules(
        name=name,
        protocols=frozenset(config.tls_versions),
        suites=frozenset(config.ciphers.iana),
        tls13_suites=frozenset(config.ciphersuites),
        curves=frozenset(config.tls_curves),
    )


def _chain_cert(cert: x509.Certificate) -> ChainCert:
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return ChainCert(cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(), is_ca)


def _completed(results: AllScanCommandsAttempts, name: str) -> object | None:
    attempt = getattr(results, name)
    if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED:
        return None
    result: object = attempt.result
    return result


def _accepted(results: AllScanCommandsAttempts) -> dict[str, tuple[str, ...] | None]:
    accepted: dict[str, tuple[str, ...] | None] = {}
    for field_name, protocol in PROTOCOL_FIELDS:
        suites = _completed(results, field_name)
        accepted[protocol] = (
            tuple(s.cipher_suite.name for s in suites.accepted_cipher_suites)
            if isinstance(suites, CipherSuitesScanResult) else None
        )
    return accepted


def _deployments(results: AllScanCommandsAttempts) -> tuple[Deployment, ...] | None:
    info = _completed(results, "certificate_info")
    if not isinstance(info, CertificateInfoScanResult):
        return None
    return tuple(
        Deployment(tuple(_chain_cert(cert) for cert in d.received_certificate_chain),
                   d.received_chain_has_valid_order, d.received_chain_contains_anchor_certificate)
        for d in info.certificate_deployments
    )


def _mozilla_issues(
    result: ServerScanResult, profile: str, unmeasured: list[str]
) -> Mapping[str, str] | None:
    if not profile:
        return None
    try:
        check_server_against_tls_configuration(
            result, MozillaTlsConfiguration.get(TlsConfigurationEnum(profile)))
    except ServerNotCompliantWithTlsConfiguration as error:
        return dict(error.issues)
    except ServerScanResultIncomplete as error:
        unmeasured.append(f"Mozilla profile check ({error})")
        return None
    return {}


def read_result(result: ServerScanResult, profile: str, elapsed: float) -> TlsScan:
    """Copy what sslyze measured into a TlsScan and run Mozilla's checker (unless `profile`
    is "") on it."""
    results = result.scan_result
    if results is None:
        raise CouldNotVerify(f"TLS configuration of {result.server_location.hostname} "
                             "(sslyze): the scan returned no results")
    accepted = _accepted(results)
    unmeasured = [f"{protocol} cipher suites" for protocol, s in accepted.items() if s is None]
    curves_result = _completed(results, "elliptic_curves")
    curves = (tuple(c.name for c in curves_result.supported_curves or ())
              if isinstance(curves_result, SupportedEllipticCurvesScanResult) else None)
    if curves is None:
        unmeasured.append("elliptic curves")
    deployments = _deployments(results)
    if deployments is None:
        unmeasured.append("certificate chain")
    issues = _mozilla_issues(result, profile, unmeasured)
    server = f"{result.server_location.hostname}:{result.server_location.port}"
    return TlsScan(server, accepted, curves, deployments or (), issues, tuple(unmeasured),
                   elapsed)


def scan(
    host: str, port: int, ca_bundle: str | None, timeout_seconds: float, mozilla_profile: str
) -> TlsScan:
    """Scan host:port with sslyze: every protocol's accepted suites, curves, the certificate
    chain (validated against `ca_bundle` as well as sslyze's stores) and, unless
    `mozilla_profile` is "", Mozilla's checker. Each connection times out after
    `timeout_seconds` (one retry), so the scan is bounded; about 1 s against a local nginx.
    Raises CouldNotVerify when sslyze cannot hold a TLS conversation with the server."""
    started = time.monotonic()
    what = f"TLS configuration of {host}:{port} (sslyze)"
    try:
        location = ServerNetworkLocation(host, port)
    except ServerHostnameCouldNotBeResolved as error:
        raise CouldNotVerify(f"{what}: {error}", "check target.base_url") from error
    extra = ScanCommandsExtraArguments(certificate_info=CertificateInfoExtraArgument(
        custom_ca_file=Path(ca_bundle))) if ca_bundle else ScanCommandsExtraArguments()
    request = ServerScanRequest(
        server_location=location,
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication=host, network_timeout=max(1, round(timeout_seconds)),
            network_max_retries=1),
        scan_commands=SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
        scan_commands_extra_arguments=extra,
    )
    scanner = Scanner(per_server_concurrent_connections_limit=5)
    with warnings.catch_warnings():
        # sslyze's bundled trust stores hold old roots with negative serial numbers, which
        # cryptography warns about; they say nothing about the server under test.
        warnings.simplefilter("ignore")
        scanner.queue_scans([request])
        (result,) = list(scanner.get_results())
        if result.scan_status != ServerScanStatusEnum.COMPLETED:
            trace = result.connectivity_error_trace
            reason = str(trace).strip().splitlines()[-1] if trace else str(result.scan_status)
            raise CouldNotVerify(f"{what}: no TLS conversation ({reason})",
                                 "make sure the target speaks TLS on target.base_url's port")
        return read_result(result, mozilla_profile, time.monotonic() - started)


def unmeasured_problem(scan_result: TlsScan, needed: Sequence[str]) -> str | None:
    """The text "sslyze could not measure …", naming each item of `unmeasured` that `needed` covers
    (substring match: "TLSv1" covers "TLSv1 cipher suites"), or None when all were measured."""
    missing = [item for item in scan_result.unmeasured if any(n in item for n in needed)]
    return "sslyze could not measure " + "; ".join(missing) if missing else None


def require_measured(scan_result: TlsScan, *needed: str) -> None:
    """Stop the check as "could not verify" when sslyze did not measure an item of `needed`
    (see `unmeasured_problem`); return quietly when everything needed was measured.

    Raises: CouldNotVerify naming the server and the unmeasured items.
    """
    problem = unmeasured_problem(scan_result, needed)
    if problem:
        raise CouldNotVerify(f"{scan_result.server}: {problem}",
                             "rerun; if it persists, scan the server with `python -m sslyze`")
