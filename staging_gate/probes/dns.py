"""P1.1: the target's host name resolves through the system resolver."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass

_RECORD_TYPES: dict[int, str] = {socket.AF_INET: "A", socket.AF_INET6: "AAAA"}

AddrInfo = tuple[int, int, int, str, tuple[object, ...]]


@dataclass(frozen=True)
class Address:
    record_type: str
    address: str


@dataclass(frozen=True)
class Resolution:
    host: str
    addresses: tuple[Address, ...] = ()
    error: str | None = None

    @property
    def resolves(self) -> bool:
        return bool(self.addresses)

    def as_evidence(self) -> dict[str, object]:
        return {
            "host": self.host,
            "addresses": [{"type": a.record_type, "address": a.address} for a in self.addresses],
            "error": self.error,
        }


def addresses_from_addrinfo(infos: Iterable[AddrInfo]) -> tuple[Address, ...]:
    """Distinct (record type, address) pairs, in resolver order."""
    seen: dict[tuple[str, str], None] = {}
    for family, _type, _proto, _canonname, sockaddr in infos:
        record_type = _RECORD_TYPES.get(family, f"family {family}")
        seen.setdefault((record_type, str(sockaddr[0])), None)
    return tuple(Address(record_type, address) for record_type, address in seen)


def resolve(host: str, port: int) -> Resolution:
    """Resolve like the target's clients do: the system resolver (hosts file, DNS, ...)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        return Resolution(host=host, error=str(error))
    return Resolution(host=host, addresses=addresses_from_addrinfo(infos))
