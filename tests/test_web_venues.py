"""The pages of venues (docs/dynamics.md "活动场所"): a secretary records its branch's check
with photos (a row of the `venues` kind: 是/否 exactly, nothing written on a refusal; a photo
that is no image refused, no check written); VEN-SIX closes at once; the photo behind the
gate; the share per area meeting all six, its chart data and xlsx; the centres."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.compliance.models import FindingRecord
from dangjian.venues.models import ServiceCentre, Venue, VenuePhoto
from tests.actors import build_world

pytestmark = pytest.mark.django_db


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))  # fmt: skip


@pytest.fixture
def world(areas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(areas)


def form(**over):
    values = {"name": "党员活动室", "has_place": "是", "has_facilities": "是", "has_sign": "是",
              "has_flag": "是", "has_reading": "是", "has_rules": "是",
              "checked_on": timezone.localdate().isoformat(), "reason": ""}  # fmt: skip
    values.update(over)
    return values


@pytest.mark.django_db(transaction=True)
def test_a_secretary_records_a_check_with_photos(client, areas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(areas)
    fr = world.party_orgs["fr"]
    from dangjian.compliance.engine import evaluate, record

    record(evaluate(as_of=timezone.localdate()))
    open_ = FindingRecord.objects.filter(rule="VEN-SIX", subject_pk=fr.pk, resolved_on__isnull=True)
    assert open_.exists()
    client.force_login(world.users["secretary"])
    url = f"/party-orgs/{fr.code}/venues/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {**form(has_flag="有")})
    assert bad.status_code == 422 and "应为「是」或「否」" in bad.content.decode()
    fake = SimpleUploadedFile("flag.png", b"not an image at all", content_type="image/png")
    bad = client.post(url, {**form(), "photo_has_flag": fake})
    assert bad.status_code == 422 and "有党旗的照片" in bad.content.decode()
    assert not Venue.objects.exists() and not VenuePhoto.objects.exists()
    photo = SimpleUploadedFile("党旗.png", png(), content_type="image/png")
    saved = client.post(url, {**form(has_reading="否"), "photo_has_flag": photo})
    assert saved.status_code == 302, saved.content.decode()[:1500]
    venue = Venue.objects.get()
    assert venue.missing == ["有书报"] and venue.photos.count() == 1
    # still lacking one item: VEN-SIX stays, now dated from the check
    (finding,) = open_
    assert finding.facts == {"missing": ["有书报"]}
    page = client.get(f"/party-orgs/{fr.code}/").content.decode()
    assert "有书报" in page and "录入场所核查" in page
    (shot,) = VenuePhoto.objects.all()
    assert client.get(f"/venues/photos/{shot.pk}/").status_code == 200
    client.force_login(world.users["outsider"])
    assert client.get(f"/venues/photos/{shot.pk}/").status_code == 404
    assert client.get(url).status_code == 404


def test_the_overview_gives_the_share_per_area(client, world):
    today = timezone.localdate()
    flags = dict.fromkeys(("has_place", "has_facilities", "has_sign", "has_flag",
                           "has_reading", "has_rules"), True)  # fmt: skip
    Venue.objects.create(party_org=world.party_orgs["fr"], checked_on=today, name="活动室",
                         **flags)  # fmt: skip
    client.force_login(world.users["furong"])
    page = client.get("/venues/")
    text = page.content.decode()
    assert page.status_code == 200 and "达到六有" in text and "venue-chart" in text
    book = load_workbook(io.BytesIO(client.get("/venues/?format=xlsx").content))
    rows = {r[0]: r for r in list(book.active.values)[1:]}
    assert rows[world.party_orgs["fr"].code][5] == "是"
    client.force_login(world.users["outsider"])
    book = load_workbook(io.BytesIO(client.get("/venues/?format=xlsx").content))
    assert world.party_orgs["fr"].code not in {r[0] for r in list(book.active.values)[1:]}


def test_the_centres_and_who_uses_them(client, world, areas):
    centre = ServiceCentre.objects.create(name="文艺路街道党群服务中心", township=areas["wenyilu"],
                                          address="文艺路1号")  # fmt: skip
    Venue.objects.create(party_org=world.party_orgs["fr"], checked_on=timezone.localdate(),
                         name=centre.name, centre=centre,
                         **dict.fromkeys(("has_place", "has_facilities", "has_sign",
                                          "has_flag", "has_reading", "has_rules"), True))  # fmt: skip
    client.force_login(world.users["wenyilu"])
    text = client.get("/venues/centres/").content.decode()
    assert centre.name in text and world.party_orgs["fr"].name in text


def test_an_officer_registers_a_centre(client, world, areas):
    client.force_login(world.users["wenyilu"])
    saved = client.post("/venues/centres/new/", {
        "name": "文艺路街道党群服务中心", "township": "文艺路街道", "address": "文艺路1号",
        "floor_area": "800", "capacity": "120", "opening_hours": "周一至周五",
        "managing_unit": "文艺路街道办事处", "reason": "",
    })  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:1500]
    assert ServiceCentre.objects.get().capacity == 120
    refused = client.post("/venues/centres/new/", {"name": "坡子街党群服务中心",
                                                   "township": "坡子街街道", "address": "x"})  # fmt: skip
    assert refused.status_code == 422 and "管辖范围" in refused.content.decode()
    client.force_login(world.users["secretary"])
    assert client.get("/venues/centres/new/").status_code == 403
