import socket

from staging_gate.probes import dns


def test_addresses_are_typed_and_deduplicated_in_resolver_order():
    infos = [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 443, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443)),
    ]
    assert dns.addresses_from_addrinfo(infos) == (
        dns.Address("AAAA", "::1"),
        dns.Address("A", "127.0.0.1"),
    )


def test_localhost_resolves_with_the_system_resolver():
    resolution = dns.resolve("localhost", 443)
    assert resolution.resolves
    assert resolution.as_evidence()["error"] is None


def test_reserved_invalid_name_does_not_resolve():
    resolution = dns.resolve("staging-gate.invalid", 443)
    assert not resolution.resolves
    assert resolution.error
