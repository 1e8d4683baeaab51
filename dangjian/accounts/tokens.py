"""Personal API tokens: `dj_` + 43 random characters, shown once, stored as a SHA-256 hash
(the token itself is random enough that no salt or slow hash is needed), revocable, with
the time each was last used."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from dangjian.accounts.models import ApiToken, User

PREFIX = "dj_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name, prefix=token[:10], key_hash=_digest(token)
    )
    return record, token


def token_user(token: str) -> User | None:
    """The active user a valid, unrevoked token belongs to (and note its use)."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    record = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
