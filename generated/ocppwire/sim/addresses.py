"""Local source addresses for the simulated stations, to get past one address's ephemeral port range.

Every TCP connection from one local address to one CSMS address and port needs its own local port,
and Linux hands out at most ``net.ipv4.ip_local_port_range`` of them (32768–60999 by default:
28,232). A fleet larger than that cannot come from one address. On Linux every address of
127.0.0.0/8 is local without any configuration, so the simulator binds its stations' sockets to
several of them, round-robin by station number: ``127.0.0.1-127.0.0.4`` gives four times the range.

Accepted forms (:func:`parse_source_addresses`): a comma-separated list of addresses and ranges
``first-last`` (IPv4 or IPv6, last ≥ first), or a bare count ``N``, short for ``127.0.0.1-127.0.0.N``.
"""

from __future__ import annotations

import ipaddress

__all__ = ["MAX_SOURCE_ADDRESSES", "parse_source_addresses", "source_address_of"]

MAX_SOURCE_ADDRESSES = 1024
"""More addresses than any fleet needs (1,024 × 28,232 ports); a larger list is a typo."""


def parse_source_addresses(text: str) -> tuple[str, ...]:
    """The addresses ``text`` names, in order, without duplicates; ``ValueError`` saying what is wrong."""
    text = text.strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= 254:
            raise ValueError(f"a count of source addresses must be between 1 and 254, got {count}")
        return tuple(f"127.0.0.{n}" for n in range(1, count + 1))
    addresses: list[str] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise ValueError(f"empty item in source address list {text!r}")
        first_text, dash, last_text = item.partition("-")
        first = _address(first_text)
        last = _address(last_text) if dash else first
        if last.version != first.version or int(last) < int(first):
            raise ValueError(f"source address range {item!r} must go from a lower to a higher address")
        if int(last) - int(first) + len(addresses) >= MAX_SOURCE_ADDRESSES:
            raise ValueError(f"more than {MAX_SOURCE_ADDRESSES} source addresses in {text!r}")
        for number in range(int(first), int(last) + 1):
            address = str(ipaddress.ip_address(number) if first.version == 4 else ipaddress.IPv6Address(number))
            if address not in addresses:
                addresses.append(address)
    return tuple(addresses)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"not an IP address: {text.strip()!r}") from None


def source_address_of(addresses: tuple[str, ...], station: int) -> str | None:
    """The address station number ``station`` connects from (round-robin); ``None`` when there are none."""
    return addresses[station % len(addresses)] if addresses else None
