"""Carry DRF's plain-text tokens (``authtoken_token``) over to ``ApiToken`` as digests, then drop that
table: the keys keep working (their SHA-256 is looked up as any new token's) until they expire, the
default validity from now, and no key is left in plain text."""

import datetime as dt
import hashlib

from django.conf import settings
from django import db
from django.db import migrations
from django.utils import timezone


def carry_over(apps, schema_editor):
    connection = schema_editor.connection if schema_editor is not None else db.connection
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('authtoken_token') IS NOT NULL")
        if not cur.fetchone()[0]:
            return  # a database created without rest_framework.authtoken
        cur.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cur.fetchall()
    ApiToken = apps.get_model("org", "ApiToken")
    expires = timezone.now() + dt.timedelta(days=getattr(settings, "POWERDESK_API_TOKEN_DAYS", 90))
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="DRF token (migrated)",
            prefix=key[:10],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created,
            expires_at=expires,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cur:
        cur.execute("DROP TABLE authtoken_token")
        cur.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("org", "0007_seed_auditor_role")]
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
