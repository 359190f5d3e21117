"""Find the office's hub with zero configuration (mDNS / DNS-SD, python-zeroconf).

Theory of operation
-------------------
The hub publishes one DNS-SD service of type ``_montour._tcp.local.``. The instance name is
unique per hub process (office id + the start of the hub id), the SRV record carries the port,
A records the addresses, and the TXT record exactly four keys: ``office`` (office id), ``name``
(office display name), ``api`` (wire protocol version) and ``hub`` (hub instance id). Nothing
personal ever goes into an advert: anyone on the network can read it.

Clients run a ``HubBrowser``: an ``AsyncServiceBrowser`` reports names appearing, changing and
disappearing (a goodbye packet with TTL 0 removes a name at once), and each name is resolved
with ``AsyncServiceInfo.async_request`` into a ``HubAnnouncement``. Adverts that lack a TXT key
or a port are skipped rather than guessed at. IPv4 addresses are preferred because the hub
listens on IPv4 in every supported deployment.

Browsers ask QM questions (multicast answers) from the start: the QU default asks for a
unicast reply, which reaches only one of the stacks sharing port 5353 on a host (hub and
clients of ``montour demo``, or avahi), and is the only reply when the records were multicast
in the last second, so a browser could wait a second round (~1 s) for its first answer.

Stopping a hub withdraws the answers python-zeroconf has queued but not yet sent before it
says goodbye (see ``_withdraw_queued_answers``): otherwise a late answer can follow the goodbye
and keep a stopped hub "discovered" for the whole TTL (75 minutes).

mDNS has no "end of answers": a browse is a time window. ``find_hub(office_id)`` returns as
soon as a hub of that office speaking our API is resolved; ``find_hub(None)`` must watch the
whole window, because only then can it say that exactly one office answered.

Everything here is asyncio and never calls the blocking zeroconf API (``register_service``
blocks for ~1.6 s while probing). The caller picks the interfaces: ``"loopback"`` for tests
and ``montour demo``, ``"all"`` only on a production office network, or explicit addresses
(network-namespace tests bind to their veth address).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self

import ifaddr
from zeroconf import (
    DNSQuestionType,
    InterfaceChoice,
    IPVersion,
    NonUniqueNameException,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from shared import const

SERVICE_TYPE = "_montour._tcp.local."
API_VERSION = "1"
TXT_KEYS = ("office", "name", "api", "hub")

# DNS labels are at most 63 bytes; TXT strings at most 255 bytes (RFC 6763 §6.1).
_MAX_LABEL_BYTES = 63
_MAX_TXT_ENTRY_BYTES = 255
_LOOPBACK_ADDRESS = "127.0.0.1"

Interfaces = Literal["all", "loopback"] | list[str]

_log = logging.getLogger(__name__)


class DiscoveryError(Exception):
    """Base of every discovery failure; the message is meant for a technician."""


class NoHubFound(DiscoveryError):
    """No suitable hub answered within the browse window."""


class SeveralHubsFound(DiscoveryError):
    """Hubs of several offices answered and no office id was given to choose."""


class PublishError(DiscoveryError):
    """The hub could not advertise itself."""


@dataclass(frozen=True)
class HubAnnouncement:
    """What a hub says about itself on the network."""

    office_id: str
    office_name: str
    api_version: str
    hub_id: str
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def _zeroconf_interfaces(interfaces: Interfaces) -> InterfaceChoice | list[str]:
    if interfaces == "loopback":
        return [_LOOPBACK_ADDRESS]
    if interfaces == "all":
        return InterfaceChoice.All
    if not interfaces:
        # zeroconf would treat an empty list as "no sockets" and silently hear nothing.
        raise DiscoveryError("No network interface given for discovery.")
    return list(interfaces)


def _describe_interfaces(interfaces: Interfaces) -> str:
    if interfaces == "loopback":
        return f"loopback ({_LOOPBACK_ADDRESS})"
    if interfaces == "all":
        return "all network interfaces"
    return ", ".join(interfaces)


def _host_addresses() -> list[str]:
    # Loopback addresses are useless to the other machines of the office.
    return [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if ip.is_IPv4 and isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback
    ]


def _advertised_addresses(interfaces: Interfaces, addresses: list[str] | None) -> list[str]:
    if addresses is not None:
        return list(addresses)
    if interfaces == "loopback":
        return [_LOOPBACK_ADDRESS]
    if interfaces == "all":
        return _host_addresses()
    return list(interfaces)


def _truncate_utf8(text: str, max_bytes: int) -> str:
    return text.encode()[:max_bytes].decode(errors="ignore")


def _host_label(hub_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", hub_id.lower())[:_MAX_LABEL_BYTES].strip("-") or "hub"


def instance_name(office_id: str, hub_id: str) -> str:
    """The DNS-SD instance name of a hub: readable, and unique per hub process."""
    # A dot would split the name into extra labels; a long office id is cut, never the hub
    # id part that keeps two hubs of one office apart.
    suffix = f" {hub_id[:8]}".replace(".", "-")
    prefix = f"Montour {office_id}".replace(".", "-")
    label = _truncate_utf8(prefix, _MAX_LABEL_BYTES - len(suffix.encode())) + suffix
    return f"{label}.{SERVICE_TYPE}"


def _txt_properties(office_id: str, office_name: str, hub_id: str) -> dict[str, str]:
    properties = {"office": office_id, "name": office_name, "api": API_VERSION, "hub": hub_id}
    for key, value in properties.items():
        if len(f"{key}={value}".encode()) > _MAX_TXT_ENTRY_BYTES:
            raise PublishError(
                f"The {key!r} value is too long to advertise ({_MAX_TXT_ENTRY_BYTES} bytes at most"
                " with its key): shorten it in the office configuration."
            )
    return properties


class HubPublisher:
    """Advertises one hub with AsyncZeroconf; TXT: office, name, api, hub (nothing personal)."""

    def __init__(
        self,
        *,
        office_id: str,
        office_name: str,
        hub_id: str,
        port: int,
        interfaces: Interfaces,
        addresses: list[str] | None = None,
    ) -> None:
        self._interfaces = interfaces
        self._aiozc: AsyncZeroconf | None = None
        self._announcing: Awaitable[object] | None = None
        host_addresses = _advertised_addresses(interfaces, addresses)
        if not host_addresses:
            raise PublishError(
                f"No address to advertise on {_describe_interfaces(interfaces)}:"
                " is the machine connected to the office network?"
            )
        self.info = AsyncServiceInfo(
            SERVICE_TYPE,
            instance_name(office_id, hub_id),
            port=port,
            properties=_txt_properties(office_id, office_name, hub_id),
            server=f"montour-{_host_label(hub_id)}.local.",
            parsed_addresses=host_addresses,
        )

    async def start(self) -> None:
        if self._aiozc is not None:
            return
        aiozc = AsyncZeroconf(interfaces=_zeroconf_interfaces(self._interfaces))
        try:
            # Returns after probing (~1 s); the announcements go on in a task, held here so that
            # it is not garbage-collected half-way and can be cancelled before the goodbye.
            self._announcing = await aiozc.async_register_service(self.info)
        except NonUniqueNameException as exc:
            await aiozc.async_close()
            raise PublishError(
                f"Another hub already advertises {self.info.name!r}: is this hub started twice?"
            ) from exc
        except BaseException:
            await aiozc.async_close()
            raise
        self._aiozc = aiozc

    async def stop(self) -> None:
        aiozc, self._aiozc = self._aiozc, None
        announcing, self._announcing = self._announcing, None
        if aiozc is None:
            return
        if isinstance(announcing, asyncio.Future):
            # A goodbye interleaved with late announcements would resurrect the hub in caches.
            announcing.cancel()
            await asyncio.gather(announcing, return_exceptions=True)
        try:
            # No await between the withdrawal and the unregistration (which takes the service
            # out of the registry first thing), so nothing about this hub can be queued again.
            _withdraw_queued_answers(aiozc.zeroconf, self.info)
            # Await the goodbyes so that clients drop this hub now, not when the TTL runs out.
            goodbyes = await aiozc.async_unregister_service(self.info)
            await goodbyes
        finally:
            await aiozc.async_close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _withdraw_queued_answers(zeroconf: Zeroconf, info: ServiceInfo) -> None:
    """Drop answers about ``info`` that zeroconf has queued but not sent yet.

    python-zeroconf 0.154 delays multicast answers (20-120 ms, and one more second for records
    multicast in the last second, RFC 6762 §14) and does not withdraw them on unregistration.
    One leaving after the goodbye puts the hub back in every cache for its full TTL, and the
    repeated goodbyes cannot undo it: receivers drop identical packets within 800 ms. Seen
    in more than half of the loopback stop tests before this existed.
    """
    # SRV, TXT and NSEC are named after the instance, A/AAAA after the server; the PTR is
    # named after the type, so it is matched whole (equality ignores the TTL).
    own_keys = {info.key, info.server_key}
    pointer = info.dns_pointer()
    for queue in (zeroconf.out_queue, zeroconf.out_delay_queue):
        for group in queue.queue:
            stale = [
                record for record in group.answers if record.key in own_keys or record == pointer
            ]
            for record in stale:
                del group.answers[record]
            if stale:
                _log.debug("withdrew %d queued answers about %s", len(stale), info.name)


def _announcement(info: AsyncServiceInfo) -> HubAnnouncement | None:
    properties = info.decoded_properties
    values = [properties.get(key) for key in TXT_KEYS]
    office_id, office_name, api_version, hub_id = values
    if office_id is None or office_name is None or api_version is None or hub_id is None:
        _log.debug("skipping %s: TXT lacks one of %s", info.name, TXT_KEYS)
        return None
    addresses = info.parsed_addresses(IPVersion.V4Only) or info.parsed_addresses(IPVersion.V6Only)
    if info.port is None or not addresses:
        _log.debug("skipping %s: no port or no address", info.name)
        return None
    return HubAnnouncement(
        office_id=office_id,
        office_name=office_name,
        api_version=api_version,
        hub_id=hub_id,
        host=addresses[0],
        port=info.port,
    )


class HubBrowser:
    """A live view of the hubs on the network, kept up to date while the browser is open.

    Use as ``async with HubBrowser(interfaces) as browser``; ``hubs`` is a snapshot in the
    order hubs were resolved, and ``wait_until`` waits for a condition on it with a deadline.
    """

    def __init__(self, interfaces: Interfaces, resolve_timeout_s: float | None = None) -> None:
        self._interfaces = interfaces
        self._resolve_timeout_s = resolve_timeout_s or const.RESOLVE_TIMEOUT_S
        self._aiozc: AsyncZeroconf | None = None
        self._browser: AsyncServiceBrowser | None = None
        self._hubs: dict[str, HubAnnouncement] = {}
        self._resolving: dict[str, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()

    @property
    def hubs(self) -> list[HubAnnouncement]:
        return list(self._hubs.values())

    async def start(self) -> None:
        if self._aiozc is not None:
            return
        self._aiozc = AsyncZeroconf(interfaces=_zeroconf_interfaces(self._interfaces))
        # QM from the first question; see the module docstring for why not QU.
        self._browser = AsyncServiceBrowser(
            self._aiozc.zeroconf,
            SERVICE_TYPE,
            handlers=[self._on_state_change],
            question_type=DNSQuestionType.QM,
        )

    async def close(self) -> None:
        browser, self._browser = self._browser, None
        aiozc, self._aiozc = self._aiozc, None
        # The browser goes first: once it is cancelled no callback can start a new resolution.
        if browser is not None:
            await browser.async_cancel()
        tasks = list(self._resolving.values())
        self._resolving.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if aiozc is not None:
            await aiozc.async_close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def wait_until(
        self, predicate: Callable[[list[HubAnnouncement]], bool], timeout_s: float
    ) -> bool:
        """Wait until ``predicate(hubs)`` holds; False if it still does not at the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not predicate(self.hubs):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            # Clearing right after the check is safe: nothing else runs until the next await.
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    def _on_state_change(
        self,
        zeroconf: Zeroconf,
        service_type: str,
        name: str,
        state_change: ServiceStateChange,
    ) -> None:
        if state_change is ServiceStateChange.Removed:
            task = self._resolving.pop(name, None)
            if task is not None:
                task.cancel()
            if self._hubs.pop(name, None) is not None:
                self._changed.set()
            return
        # A resolution under way will read the freshest cache when its answers arrive.
        if name not in self._resolving:
            task = asyncio.get_running_loop().create_task(self._resolve(zeroconf, name))
            self._resolving[name] = task

    async def _resolve(self, zeroconf: Zeroconf, name: str) -> None:
        try:
            info = AsyncServiceInfo(SERVICE_TYPE, name)
            if not await info.async_request(
                zeroconf, self._resolve_timeout_s * 1000, question_type=DNSQuestionType.QM
            ):
                _log.debug("could not resolve %s in time", name)
                return
            announcement = _announcement(info)
            if announcement is not None and self._hubs.get(name) != announcement:
                self._hubs[name] = announcement
                self._changed.set()
        finally:
            if self._resolving.get(name) is asyncio.current_task():
                del self._resolving[name]


async def browse_hubs(
    interfaces: Interfaces, timeout_s: float | None = None
) -> list[HubAnnouncement]:
    """Every hub seen and resolved within ``timeout_s``, in the order they were resolved."""
    timeout_s = timeout_s or const.DISCOVERY_TIMEOUT_S
    async with HubBrowser(interfaces) as browser:
        await browser.wait_until(lambda _hubs: False, timeout_s)
        return browser.hubs


def _pick(hubs: Sequence[HubAnnouncement], office_id: str) -> HubAnnouncement | None:
    for hub in hubs:
        if hub.office_id == office_id and hub.api_version == API_VERSION:
            return hub
    return None


def _list_hubs(hubs: Sequence[HubAnnouncement]) -> str:
    return "; ".join(
        f"office {hub.office_id!r} ({hub.office_name}) at {hub.url}, API {hub.api_version}"
        for hub in hubs
    )


def _no_hub_message(
    office_id: str | None, interfaces: Interfaces, timeout_s: float, seen: Sequence[HubAnnouncement]
) -> str:
    wanted = f"for office {office_id!r}" if office_id is not None else "at all"
    message = (
        f"No Montour hub speaking API {API_VERSION} answered {wanted} within {timeout_s:g} s"
        f" on {_describe_interfaces(interfaces)}."
    )
    if seen:
        message += f" Hubs seen: {_list_hubs(seen)}."
    return (
        message + " Check that the hub is running and on the same network segment (mDNS does not"
        " cross routers or VLANs), check the office id, or give its address with --hub URL."
    )


async def find_hub(
    office_id: str | None, interfaces: Interfaces, timeout_s: float | None = None
) -> HubAnnouncement:
    """The hub to connect to, or a ``DiscoveryError`` saying what was seen instead.

    With an office id, returns as soon as a hub of that office speaking ``API_VERSION`` is
    resolved. Without one, watches the whole window and returns the hub only if exactly one
    office answered (its first resolved hub); several offices raise ``SeveralHubsFound``.
    """
    timeout_s = timeout_s or const.DISCOVERY_TIMEOUT_S
    async with HubBrowser(interfaces) as browser:
        if office_id is not None:
            await browser.wait_until(lambda hubs: _pick(hubs, office_id) is not None, timeout_s)
            hub = _pick(browser.hubs, office_id)
            if hub is not None:
                return hub
            raise NoHubFound(_no_hub_message(office_id, interfaces, timeout_s, browser.hubs))
        await browser.wait_until(lambda _hubs: False, timeout_s)
        seen = browser.hubs
    usable = [hub for hub in seen if hub.api_version == API_VERSION]
    offices = {hub.office_id for hub in usable}
    if not usable:
        raise NoHubFound(_no_hub_message(None, interfaces, timeout_s, seen))
    if len(offices) > 1:
        raise SeveralHubsFound(
            f"Hubs of {len(offices)} offices answered on {_describe_interfaces(interfaces)}:"
            f" {_list_hubs(usable)}. Set this device's office id, or give the hub's address"
            " with --hub URL."
        )
    return usable[0]
