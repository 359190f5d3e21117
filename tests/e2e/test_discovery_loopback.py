"""Discovery end to end on loopback: real mDNS packets, zeroconf bound to 127.0.0.1 only.

Other test runs may publish Montour hubs on this loopback at the same time, so every office id
carries a random token, and no assertion assumes the network holds only our hubs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from shared.discovery import (
    API_VERSION,
    SERVICE_TYPE,
    HubAnnouncement,
    HubBrowser,
    HubPublisher,
    NoHubFound,
    SeveralHubsFound,
    _announcement,
    browse_hubs,
    find_hub,
    instance_name,
)

pytestmark = pytest.mark.timeout(60)

# stack-notes: two zeroconf stacks on one host may take 1-2 s to hear each other.
FIND_TIMEOUT_S = 6.0
# Nobody answers for that office, so this is also how long the test waits.
ABSENT_TIMEOUT_S = 1.0
LOOPBACK = "127.0.0.1"


def _token() -> str:
    return uuid.uuid4().hex[:8]


def _publisher(office_id: str, port: int) -> HubPublisher:
    return HubPublisher(
        office_id=office_id,
        office_name=f"Bureau {office_id}",
        hub_id=uuid.uuid4().hex,
        port=port,
        interfaces="loopback",
    )


@asynccontextmanager
async def published(*publishers: HubPublisher) -> AsyncIterator[None]:
    """Start the publishers together (probing takes ~1 s each) and always stop them."""
    async with AsyncExitStack() as stack:
        for publisher in publishers:
            stack.push_async_callback(publisher.stop)
        await asyncio.gather(*(publisher.start() for publisher in publishers))
        yield


def _expected(publisher: HubPublisher, office_id: str, port: int) -> HubAnnouncement:
    return HubAnnouncement(
        office_id=office_id,
        office_name=f"Bureau {office_id}",
        api_version=API_VERSION,
        hub_id=publisher.info.decoded_properties["hub"] or "",
        host=LOOPBACK,
        port=port,
    )


@pytest.mark.asyncio
async def test_find_hub_by_office_id() -> None:
    office = f"mairie-{_token()}"
    publisher = _publisher(office, 18080)
    async with published(publisher):
        hub = await find_hub(office, "loopback", timeout_s=FIND_TIMEOUT_S)
    assert hub == _expected(publisher, office, 18080)
    assert hub.url == "http://127.0.0.1:18080"


@pytest.mark.asyncio
async def test_two_offices_each_found_by_id_and_ambiguous_without_id() -> None:
    office_a, office_b = f"caf-{_token()}", f"cpam-{_token()}"
    pub_a, pub_b = _publisher(office_a, 18081), _publisher(office_b, 18082)
    async with published(pub_a, pub_b):
        hub_a, hub_b = await asyncio.gather(
            find_hub(office_a, "loopback", timeout_s=FIND_TIMEOUT_S),
            find_hub(office_b, "loopback", timeout_s=FIND_TIMEOUT_S),
        )
        # Both watch the whole window, so run them side by side.
        ambiguous, seen = await asyncio.gather(
            find_hub(None, "loopback", timeout_s=FIND_TIMEOUT_S),
            browse_hubs("loopback", timeout_s=FIND_TIMEOUT_S),
            return_exceptions=True,
        )
    assert hub_a == _expected(pub_a, office_a, 18081)
    assert hub_b == _expected(pub_b, office_b, 18082)
    assert isinstance(ambiguous, SeveralHubsFound), ambiguous
    assert office_a in str(ambiguous) and office_b in str(ambiguous)
    assert "--hub" in str(ambiguous)
    assert isinstance(seen, list)
    assert {hub_a, hub_b} <= set(seen)


@pytest.mark.asyncio
async def test_no_hub_for_an_unknown_office() -> None:
    office = f"nobody-{_token()}"
    with pytest.raises(NoHubFound) as raised:
        await find_hub(office, "loopback", timeout_s=ABSENT_TIMEOUT_S)
    message = str(raised.value)
    # A technician must learn what was looked for, where, and what to do instead.
    assert repr(office) in message
    assert LOOPBACK in message
    assert "--hub" in message


@pytest.mark.asyncio
async def test_stopped_hub_says_goodbye_and_is_no_longer_found() -> None:
    office_gone, office_kept = f"gone-{_token()}", f"kept-{_token()}"
    pub_gone, pub_kept = _publisher(office_gone, 18083), _publisher(office_kept, 18084)
    async with published(pub_kept):
        async with published(pub_gone), HubBrowser("loopback") as watcher:
            assert await watcher.wait_until(
                lambda hubs: {office_gone, office_kept} <= {hub.office_id for hub in hubs},
                FIND_TIMEOUT_S,
            ), watcher.hubs
            await pub_gone.stop()
            # The goodbye (TTL 0) must remove it from a browser that already knew it.
            assert await watcher.wait_until(
                lambda hubs: office_gone not in {hub.office_id for hub in hubs},
                FIND_TIMEOUT_S,
            ), watcher.hubs

        # A fresh browser sees the hub that is still up (so it does hear answers) but not
        # the stopped one, which can no longer answer at all.
        async with HubBrowser("loopback") as fresh:
            assert await fresh.wait_until(
                lambda hubs: office_kept in {hub.office_id for hub in hubs}, FIND_TIMEOUT_S
            ), fresh.hubs
            assert office_gone not in {hub.office_id for hub in fresh.hubs}


@pytest.mark.asyncio
async def test_txt_record_holds_exactly_the_four_keys() -> None:
    office = f"sous-prefecture-{_token()}"
    publisher = _publisher(office, 18085)
    async with published(publisher), AsyncZeroconf(interfaces=[LOOPBACK]) as aiozc:
        info = AsyncServiceInfo(SERVICE_TYPE, publisher.info.name)
        assert await info.async_request(aiozc.zeroconf, FIND_TIMEOUT_S * 1000)
    assert info.decoded_properties == {
        "office": office,
        "name": f"Bureau {office}",
        "api": API_VERSION,
        "hub": publisher.info.decoded_properties["hub"],
    }


# Decoding, without the network: adverts come from anyone, so bad ones must be skipped.


def _info(properties: dict[str, str], addresses: list[str]) -> AsyncServiceInfo:
    return AsyncServiceInfo(
        SERVICE_TYPE,
        f"Test {_token()}.{SERVICE_TYPE}",
        port=8000,
        properties=properties,
        server="test.local.",
        parsed_addresses=addresses,
    )


GOOD_TXT = {"office": "o1", "name": "Office", "api": API_VERSION, "hub": "h1"}


@pytest.mark.parametrize("missing", sorted(GOOD_TXT))
def test_advert_missing_a_txt_key_is_skipped(missing: str) -> None:
    txt = {key: value for key, value in GOOD_TXT.items() if key != missing}
    assert _announcement(_info(txt, ["10.0.0.5"])) is None


def test_ipv4_is_preferred_and_ipv6_gets_brackets() -> None:
    both = _announcement(_info(GOOD_TXT, ["fd00::5", "10.0.0.5"]))
    assert both is not None and both.host == "10.0.0.5"
    only_v6 = _announcement(_info(GOOD_TXT, ["fd00::5"]))
    assert only_v6 is not None and only_v6.url == "http://[fd00::5]:8000"


def test_instance_name_fits_a_dns_label_and_keeps_the_hub_id() -> None:
    name = instance_name("é" * 40 + ".annexe", "0123456789abcdef")
    label = name.removesuffix(f".{SERVICE_TYPE}")
    assert len(label.encode()) <= 63
    assert "." not in label
    assert label.endswith(" 01234567")
