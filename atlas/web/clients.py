"""Who a client is, for the rate limits and the door for floods: its IPv4 address, or the /64 network of its IPv6
address. One subscriber line or server gets a whole /64 (RFC 6177) and can send from any of its 2^64 addresses:
counted per address, it could step around every limit by changing the last bits."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPV6_PREFIX = 64


@lru_cache(maxsize=65_536)
def client_of(address: str) -> str:
    """The key of the client at an address (as the WSGI server or ProxyFix names it); what is no address stays as
    it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)
