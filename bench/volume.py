"""Synthetic volume data for benchmarks (issue 7): many municipalities, hundreds of units, millions of deviations.

Everything is drawn from ``random.Random`` streams seeded by ``(seed, municipality
number, purpose)`` and dated relative to an explicit ``today``, so the same
arguments give the same rows. Generated municipalities have codes ``vol-001``,
``vol-002``, … and coexist with the demo; one that already exists is skipped, so a
second run with ``first`` set adds more without collisions.

Rows are written in batches: with PostgreSQL through ``COPY`` (ids taken from the
table's sequence first, so children can point at them), elsewhere through
``bulk_create``. History tables (django-simple-history) are not filled: the
volume is about the live tables the pages read.

Who holds a role on a date is never guessed here: assessors come from the resolver's index
through ``incidents.routing.duty_owner`` (the routing's own rule), and the Lex Maria chain through
``incidents.lexmaria.routing.resolve_chain``, both on one ``incidents.routing.RoutingIndex`` per quarter.

The generator is split by what it writes: ``volume_data`` (spec, plans, row writer), ``volume_org``
(organisation and people), ``volume_events`` (deviations, Lex Maria), ``volume_followup`` (follow-up).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from bench.volume_data import (
    _PASSWORD_SALT,
    PASSWORD,
    STOCKHOLM,
    PatientCodec,
    VolumeSpec,
    personnummer,
    plan_municipality,
)
from bench.volume_followup import MunicipalityBuilder
from bench.volume_rows import Progress, RowWriter
from responsibility.models import (
    Municipality,
)

__all__ = ["Progress", "VolumeResult", "VolumeSpec", "generate", "personnummer", "plan_municipality"]

# --- entry point ----------------------------------------------------------------------------------


@dataclass
class VolumeResult:
    counts: Counter
    created: list[str]
    skipped: list[str]
    notes: list[str]
    seconds: float


def generate(*, spec: VolumeSpec, progress: Progress | None = None) -> VolumeResult:
    """Generate ``spec.municipalities`` municipalities and their data; skip those that exist."""
    started = time.monotonic()
    numbers = list(range(spec.first, spec.first + spec.municipalities))
    plans = [plan_municipality(spec=spec, number=n) for n in numbers]
    total_weight = sum(p.weight for p in plans) or 1.0
    shares = [int(spec.deviations * p.weight / total_weight) for p in plans]
    for i in range(spec.deviations - sum(shares)):
        shares[i % len(shares)] += 1
    existing = set(Municipality.objects.filter(code__in=[p.code for p in plans]).values_list("code", flat=True))
    progress = progress or Progress(total=spec.deviations, enabled=False)
    progress.total = max(sum(s for p, s in zip(plans, shares, strict=True) if p.code not in existing), 1)
    stamp = datetime.combine(spec.today, datetime.min.time(), STOCKHOLM)
    writer = RowWriter(batch_size=spec.batch_size, stamp=stamp)
    codec = PatientCodec()
    password_hash = make_password(PASSWORD, salt=_PASSWORD_SALT)
    created, skipped, notes = [], [], []
    superuser = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
    for plan, share in zip(plans, shares, strict=True):
        if plan.code in existing:
            skipped.append(plan.code)
            continue
        builder = MunicipalityBuilder(
            spec=spec,
            plan=plan,
            n_deviations=share,
            writer=writer,
            progress=progress,
            codec=codec,
            password_hash=password_hash,
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    if superuser:
                        # Rows are consistent by construction: skip the per-row foreign-key triggers (as
                        # pg_restore --disable-triggers does). Checks and unique indexes still apply.
                        cursor.execute("SET LOCAL session_replication_role TO replica")
            builder.build()
            if superuser:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role TO DEFAULT")
        created.append(plan.code)
        notes.extend(n for n in builder.notes if n not in notes)
    progress.finish()
    if created and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for label in {label for label, _n in writer.counts.items()}:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(apps.get_model(label)._meta.db_table)}")
    return VolumeResult(writer.counts, created, skipped, notes, time.monotonic() - started)
