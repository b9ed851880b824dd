"""Who a client is, for the rate limits and the door for floods: its IPv4 address, or the /64 network of its IPv6
address. A subscriber line gets at least a whole /64 (RFC 6177 recommends more, often a /56) and can send from any
of its 2^64 addresses: counted per address, it could step around every limit by changing the last bits. (A /56
still gives its holder 256 clients here: the limits are sized to what a person does, far from what a flood needs.)
An IPv6 address that carries an IPv4 client (IPv4-mapped, NAT64's well-known prefix, 6to4, Teredo) is that client."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPV6_PREFIX = 64
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits


@lru_cache(maxsize=65_536)
def client_of(address: str) -> str:
    """The key of the client at an address (as the WSGI server or ProxyFix names it); what is no address stays as
    it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    carried = _ipv4_in(ip)
    if carried is not None:
        return str(carried)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))


def _ipv4_in(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1, as a dual-stack server names an IPv4 client
        return ip.ipv4_mapped
    if ip in NAT64:  # a translator in front hands every IPv4 client over in 64:ff9b::/96
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:  # (server, client): the client's own address
        return ip.teredo[1]
    return ip.sixtofour  # 2002:c000:0201::/48 is 192.0.2.1's; None for any other address
