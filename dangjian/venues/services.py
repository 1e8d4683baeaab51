"""Recording a venue check (docs/dynamics.md "活动场所"): the check is a row of the `venues`
kind (every check and message of a file: the Party organization the writer may write, 是/否,
the date), and its photos — at most one per item of 六有, a JPG or PNG of at most 10 MB,
its content read, not its name — kept with it. All or nothing: a refused photo writes no
check, a refused check keeps no photo."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dangjian.imports.fields import date as parse_date
from dangjian.imports.records import record_save
from dangjian.lib.outcome import Outcome
from dangjian.tasks import files
from dangjian.venues.models import SIX, Venue, VenuePhoto

KIND = "venues"
PHOTO_KINDS = (files.AttachmentKind.JPEG, files.AttachmentKind.PNG)


def venue_record(*, user: Any, values: dict[str, str], photos: dict[str, Any],
                 reason: str = "") -> Outcome:  # fmt: skip
    """`values`: the kind's columns as text; `photos`: item field (`has_flag` …) -> upload."""
    outcome = Outcome()
    kinds: dict[str, files.AttachmentKind] = {}
    for item, label in SIX:
        upload = photos.get(item)
        if upload is None:
            continue
        try:
            kind = files.detect(upload, getattr(upload, "name", ""))
        except files.FileRefused as exc:
            outcome.add(f"photo_{item}", f"{label}的照片：{'；'.join(exc.messages)}")
            continue
        if kind not in PHOTO_KINDS:
            outcome.add(f"photo_{item}", f"{label}的照片应为 JPG 或 PNG 图片")
            continue
        kinds[item] = kind
    if outcome.errors:
        return outcome
    with transaction.atomic():
        saved = record_save(kind=KIND, values=values, user=user, reason=reason or "场所核查")
        if not saved.ok:
            outcome.errors = saved.errors
            return outcome
        day = parse_date(values["checked_on"])  # the import read it so
        venue = Venue.objects.get(party_org__code=values["party_org"].strip(), checked_on=day)
        for item, kind in kinds.items():
            upload = photos[item]
            upload.seek(0)
            photo = VenuePhoto(venue=venue, item=item)
            photo.image.save(f"photo{files.EXTENSIONS[kind]}", upload, save=False)
            photo.save()
    outcome.record = venue
    return outcome
