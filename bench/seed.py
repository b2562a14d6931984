"""Seed the bench database with a realistic city: 3 counties, 60 供电所, 2,000 台区, N customers with
phones and M historical orders spread over the last year, each with its timeline events and contacts.

Everything is set-based SQL (``INSERT … SELECT generate_series``) in ONE transaction: secondary indexes
are dropped first and rebuilt after the load (a failure rolls everything back, indexes included), FK
triggers are skipped for the load (``session_replication_role = replica``; the data is consistent by
construction), then ``VACUUM ANALYZE``. A marker row in ``bench_seed`` makes re-runs skip the work.
"""

from __future__ import annotations

import time

from common import drop_secondary_indexes, log
from seed_data import (
    BUSINESSES,
    COUNTIES,
    GIVEN,
    HIST_AGENTS,
    MIX,
    N_AREAS,
    STATION_NAMES,
    STATIONS_PER_COUNTY,
    SURNAMES,
    VILLAGES,
    phone_sql,
    sql_array,
)

BIG_TABLES = [
    "customers_customer",
    "customers_customerphone",
    "workorders_workorder",
    "workorders_workorderevent",
    "workorders_contact",
]


def seeded_size(cur) -> tuple[int, int] | None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS bench_seed (customers bigint, orders bigint, seconds float, at timestamptz)"
    )
    cur.execute("SELECT customers, orders FROM bench_seed LIMIT 1")
    row = cur.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def seed(
    customers: int, orders: int, *, days: int = 365, stations_per_county: int = STATIONS_PER_COUNTY
) -> float | None:
    """Seed unless already seeded at this size; returns the seconds it took (None when skipped). The
    orders are spread evenly over the last ``days`` days and the 台区 over ``stations_per_county``
    stations a county (``bench/analytics.py`` asks for 3 years and 35 stations, so that no later UPDATE
    rewrites every order to move it back in time or to another station)."""
    from django.db import connection, transaction

    with connection.cursor() as cur:
        if seeded_size(cur) == (customers, orders) and _stations(cur) == stations_per_county * len(COUNTIES):
            log(f"already seeded: {customers:,} customers, {orders:,} orders (skipping)")
            return None
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        _reset(cur)
        dropped = drop_secondary_indexes(cur, BIG_TABLES)
        step = time.monotonic()
        _units_and_users(cur, stations_per_county)
        _customers(cur, customers)
        log(f"  customers and phones: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        _orders(cur, customers, orders, days)
        log(f"  orders: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        _events_and_contacts(cur)
        log(f"  events and contacts: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        for _name, definition in dropped:
            cur.execute(definition)
        log(f"  rebuilt {len(dropped)} secondary indexes: {time.monotonic() - step:.1f} s")
        _advance_sequences(cur)
        cur.execute("DELETE FROM bench_seed")
        cur.execute(
            "INSERT INTO bench_seed VALUES (%s, %s, %s, now())",
            [customers, orders, time.monotonic() - started],
        )
    step = time.monotonic()
    with connection.cursor() as cur:
        for table in [*BIG_TABLES, "org_unit", "org_user"]:
            cur.execute(f"VACUUM (ANALYZE) {table}")
    log(f"  VACUUM ANALYZE: {time.monotonic() - step:.1f} s")
    elapsed = time.monotonic() - started
    with connection.cursor() as cur:
        cur.execute("UPDATE bench_seed SET seconds = %s", [elapsed])
    return elapsed


def _stations(cur) -> int:
    cur.execute("SELECT count(*) FROM org_unit WHERE kind = 'station'")
    return int(cur.fetchone()[0])


def _reset(cur) -> None:
    """Empty everything the seed owns (a bench database only: never the dev data), past the append-only
    guards of the timeline and the audit trail, as the owner (powerdesk.core.appendonly)."""
    from powerdesk.core.appendonly import owner_truncate

    for statement in owner_truncate(
        [
            "TRUNCATE sla_clock, workorders_attachment, workorders_contact, workorders_contactkey, "
            "workorders_workorderevent, "
            "workorders_workorder, customers_customerphone, customers_customer, org_apitoken, "
            "audit_auditentry, org_user, org_servicehall, org_unithead, org_unit RESTART IDENTITY CASCADE"
        ]
    ):
        cur.execute(statement)


def _station_name(si: int) -> str:
    """The town a station is named after; past the list's end the names repeat with a number."""
    town = STATION_NAMES[si % len(STATION_NAMES)]
    return town if si < len(STATION_NAMES) else f"{town}{si // len(STATION_NAMES) + 1}"


def _units_and_users(cur, stations_per_county: int) -> None:
    cur.execute(
        "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name, manager_phone,"
        " is_active) VALUES (1, 'B', '江南省电力有限公司', 'province', NULL, 'urban', '', '', '', true),"
        " (2, 'B01', '青州供电公司', 'city', 1, 'urban', '青州市', '', '', true)"
    )
    next_id = 3
    county_ids = []
    for suffix, name, short, _share, _urban, _remote in COUNTIES:
        cur.execute(
            "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name,"
            " manager_phone, is_active) VALUES (%s, %s, %s, 'county', 2, 'urban', %s, '', '', true)",
            [next_id, f"B01-{suffix}", name, f"青州市{short}县"],
        )
        county_ids.append(next_id)
        next_id += 1
    stations = []  # (id, county index, region, short name)
    for ci, (suffix, _name, short, _share, urban, remote) in enumerate(COUNTIES):
        for si in range(stations_per_county):
            region = "urban" if si < urban else ("remote" if si >= stations_per_county - remote else "rural")
            cur.execute(
                "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name,"
                " manager_phone, is_active) VALUES (%s, %s, %s, 'station', %s, %s, %s, '', '', true)",
                [
                    next_id,
                    f"B01-{suffix}-{si + 1:02d}",
                    f"{short}{_station_name(si)}供电所",
                    county_ids[ci],
                    region,
                    f"青州市{short}县{_station_name(si)}镇",
                ],
            )
            stations.append((next_id, ci, region))
            next_id += 1
    # 台区: each county's share of the 2,000, spread evenly over its stations; ids are contiguous by county.
    area_rows = []
    for station_id, ci, region in stations:
        suffix, _name, short, share, _u, _r = COUNTIES[ci]
        per_station = round(N_AREAS * share / stations_per_county)
        s_index = (station_id - stations[0][0]) % stations_per_county
        for ai in range(per_station):
            village = VILLAGES[(ai + s_index) % len(VILLAGES)]
            area_rows.append(
                (
                    next_id,
                    f"B01-{suffix}-{s_index + 1:02d}-{ai + 1:03d}",
                    f"{village}{ai + 1}号台区",
                    station_id,
                    region,
                    f"青州市{short}县{_station_name(s_index)}镇{village}",
                    f"台区经理{next_id}",
                    f"139{next_id:08d}",
                )
            )
            next_id += 1
    cur.executemany(
        "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name, manager_phone,"
        " is_active) VALUES (%s, %s, %s, 'area', %s, %s, %s, %s, %s, true)",
        area_rows,
    )
    cur.execute("SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT max(id) FROM org_unit))")
    # The area map every later step joins on: area index → area, station, county, region, street address.
    cur.execute("DROP TABLE IF EXISTS bench_area")
    cur.execute(
        """
        CREATE TEMP TABLE bench_area ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY a.id) - 1)::int AS idx, a.id AS area_id, s.id AS station_id,
               s.parent_id AS county_id, a.region_class AS region, a.address AS street
        FROM org_unit a JOIN org_unit s ON s.id = a.parent_id WHERE a.kind = 'area'
        """
    )
    cur.execute("CREATE UNIQUE INDEX ON bench_area (idx)")
    cur.execute("CREATE UNIQUE INDEX ON bench_area (area_id)")
    # Staff: agents at the city (owners of the history), one handler per station (assignees).
    user_cols = (
        "password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined,"
        " full_name, phone, is_outsourced, role_id, unit_id"
    )
    cur.execute(
        f"INSERT INTO org_user ({user_cols}) SELECT '!', false, 'hist_agent_' || lpad(g::text, 2, '0'), '', '', '',"
        " false, true, now(), '话务员' || g, '', false, (SELECT id FROM org_role WHERE code = 'agent'), 2"
        f" FROM generate_series(1, {HIST_AGENTS}) g"
    )
    cur.execute(
        f"INSERT INTO org_user ({user_cols}) SELECT '!', false, 'hist_handler_' || u.code, '', '', '', false, true,"
        " now(), u.name || '处理人', '', false, (SELECT id FROM org_role WHERE code = 'handler'), u.id"
        " FROM org_unit u WHERE u.kind = 'station'"
    )


def _customers(cur, n: int) -> None:
    surnames, given = list(SURNAMES), list(GIVEN)
    cur.execute("SELECT setseed(0.42)")
    cur.execute(
        f"""
        INSERT INTO customers_customer (id, account_no, name, customer_type, address, meter_no, id_number,
            is_sensitive, sensitive_reason, is_life_support, multi_resident, shared_meter, preferred_channel,
            notes, created_at, area_id)
        SELECT g, (3100000000 + g)::text,
               CASE WHEN ctype IN ('commercial', 'industrial', 'important')
                    THEN a.street || ({sql_array(BUSINESSES)})[1 + floor(r2 * {len(BUSINESSES)})::int]
                    ELSE ({sql_array(surnames)})[1 + floor(r2 * {len(surnames)})::int]
                         || ({sql_array(given)})[1 + floor(r3 * {len(given)})::int]
                         || CASE WHEN r4 < 0.7 THEN ({sql_array(given)})[1 + floor(r4 * {len(given)} / 0.7)::int]
                                 ELSE '' END
               END,
               ctype,
               a.street || (1 + g % 300) || '号' || CASE WHEN a.region = 'urban' THEN (1 + g % 6) || '单元'
                   || (101 + g % 1800) || '室' ELSE '' END,
               '33' || lpad(g::text, 12, '0'),
               CASE WHEN ctype IN ('commercial', 'industrial', 'important') THEN ''
                    ELSE '3207' || lpad((g % 100)::text, 2, '0') || to_char(date '1950-01-01'
                         + floor(r3 * 20000)::int, 'YYYYMMDD') || lpad((g % 10000)::text, 4, '0') END,
               r5 < 0.005, CASE WHEN r5 < 0.005 THEN '多次投诉' ELSE '' END, r5 > 0.999, r4 < 0.05, r4 > 0.98,
               CASE WHEN r5 < 0.1 THEN 'wechat' WHEN r5 < 0.2 THEN 'app' ELSE 'phone' END,
               '', now() - (r5 * 3650) * interval '1 day', a.area_id
        FROM (
            SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                   ((g - 1) * {N_AREAS}::bigint / {n})::int AS idx
            FROM generate_series(1, {n}) g
        ) s
        JOIN bench_area a ON a.idx = s.idx
        CROSS JOIN LATERAL (SELECT CASE
            WHEN r1 < 0.015 THEN 'important' WHEN r1 < 0.09 THEN 'commercial' WHEN r1 < 0.12 THEN 'industrial'
            WHEN a.region = 'urban' THEN 'urban_resident' ELSE 'rural_resident' END AS ctype) t
        """
    )
    cur.execute(
        f"""
        INSERT INTO customers_customerphone (number, label, customer_id)
        SELECT {phone_sql("g")}, '手机', g FROM generate_series(1, {n}) g
        UNION ALL
        SELECT '0536' || lpad((g % 10000000)::text, 7, '0'), '座机', g FROM generate_series(5, {n}, 5) g
        """
    )


def _orders(cur, n_customers: int, m: int, days: int = 365) -> None:
    """M orders over the last ``days`` days, ids in time order; status follows age (recent ones still
    open)."""
    cur.execute("DROP TABLE IF EXISTS bench_mix")
    cur.execute(
        "CREATE TEMP TABLE bench_mix (slot int, business_type text, topic_id bigint, sub_type_id bigint,"
        " description text) ON COMMIT DROP"
    )
    slot = 0
    for btype, topic, sub, weight, text in MIX:
        for _ in range(weight):
            cur.execute(
                "INSERT INTO bench_mix SELECT %s, %s, (SELECT id FROM workorders_topic WHERE code = %s),"
                " (SELECT id FROM workorders_subtype WHERE code = %s), %s",
                [slot, btype, topic, sub, text],
            )
            slot += 1
    slots = slot
    cur.execute("DROP TABLE IF EXISTS bench_people")
    cur.execute(
        "CREATE TEMP TABLE bench_people ON COMMIT DROP AS"
        " SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx, id FROM org_user"
        " WHERE username LIKE 'hist_agent_%'"
    )
    cur.execute("SELECT setseed(0.17)")
    cur.execute(
        f"""
        INSERT INTO workorders_workorder (id, number, business_type, sub_type_id, topic_id, channel, priority,
            status, status_before_suspend, customer_id, area_id, address, caller_name, caller_phone, description,
            facts, unit_id, owner_id, assignee_id, parent_id, contact_count, chase_count, escalation_level,
            reopen_count, is_flagged, result, reply_text, satisfaction, callback_resolved, created_at,
            dispatched_at, taken_at, arrived_at, resolved_at, replied_at, called_back_at, closed_at, updated_at,
            due_at, version, company_id)
        WITH base AS (
            -- The step (the span / M) is divided first: (g - 1) times the span overflows an interval's
            -- day field past ~2 M orders over 3 years.
            SELECT g AS id,
                   now() - interval '{days} days' + (g - 1) * (interval '{days} days' / {m})
                       + random() * interval '20 seconds' AS created_at,
                   random() AS r_status, 1 + floor(random() * {n_customers})::bigint AS cust,
                   floor(random() * {slots})::int AS slot, random() AS r_chan, random() AS r_cnt,
                   random() AS r_sat, floor(random() * {HIST_AGENTS})::int AS agent, random() AS r_unit,
                   random() AS r_nocust
            FROM generate_series(1, {m}) g
        ), aged AS (
            SELECT b.*, extract(epoch FROM now() - b.created_at) / 86400 AS age FROM base b
        ), st AS (
            SELECT a.*, CASE
                WHEN age < 1 THEN CASE WHEN r_status < 0.3 THEN 'accepted' WHEN r_status < 0.6 THEN 'dispatched'
                    WHEN r_status < 0.8 THEN 'in_progress' WHEN r_status < 0.9 THEN 'on_site' ELSE 'resolved' END
                WHEN age < 7 THEN CASE WHEN r_status < 0.05 THEN 'accepted' WHEN r_status < 0.15 THEN 'dispatched'
                    WHEN r_status < 0.25 THEN 'in_progress' WHEN r_status < 0.3 THEN 'resolved'
                    WHEN r_status < 0.42 THEN 'replied' WHEN r_status < 0.55 THEN 'called_back'
                    WHEN r_status < 0.58 THEN 'suspended' WHEN r_status < 0.6 THEN 'returned' ELSE 'archived' END
                WHEN age < 30 THEN CASE WHEN r_status < 0.02 THEN 'dispatched' WHEN r_status < 0.04
                    THEN 'in_progress' WHEN r_status < 0.11 THEN 'replied' WHEN r_status < 0.21 THEN 'called_back'
                    WHEN r_status < 0.24 THEN 'suspended' WHEN r_status < 0.98 THEN 'archived' ELSE 'merged' END
                ELSE CASE WHEN r_status < 0.01 THEN 'called_back' WHEN r_status < 0.015 THEN 'suspended'
                    WHEN r_status < 0.985 THEN 'archived' ELSE 'merged' END
            END AS status FROM aged a
        ), ranked AS (
            SELECT s.*, CASE status WHEN 'accepted' THEN 0 WHEN 'returned' THEN 1 WHEN 'merged' THEN 0
                WHEN 'dispatched' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'suspended' THEN 2 WHEN 'on_site' THEN 3
                WHEN 'resolved' THEN 4 WHEN 'replied' THEN 5 WHEN 'called_back' THEN 6 ELSE 7 END AS rank,
                CASE WHEN r_cnt < 0.85 THEN 1 WHEN r_cnt < 0.97 THEN 2 ELSE 3 END AS contacts
            FROM st s
        )
        SELECT r.id,
               to_char(r.created_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || lpad(r.id::text, 8, '0'),
               mx.business_type, mx.sub_type_id, mx.topic_id,
               CASE WHEN r_chan < 0.8 THEN '95598' WHEN r_chan < 0.9 THEN 'app' WHEN r_chan < 0.95 THEN 'wechat'
                    WHEN r_chan < 0.98 THEN '12345' ELSE 'web' END,
               CASE WHEN r.contacts >= 3 OR c.customer_type = 'important' OR c.is_life_support THEN 2 ELSE 1 END,
               r.status, CASE WHEN r.status = 'suspended' THEN 'in_progress' ELSE '' END,
               CASE WHEN r_nocust < 0.03 THEN NULL ELSE c.id END,
               CASE WHEN r_nocust < 0.03 THEN NULL ELSE c.area_id END,
               c.address, CASE WHEN r_nocust < 0.03 THEN '' ELSE c.name END,
               {phone_sql("r.cust")},
               mx.description || CASE WHEN mx.business_type = 'repair'
                   THEN '来电人称已持续约' || (1 + floor(r_sat * 5)::int) || '小时。' ELSE '' END
                   || '地址：' || c.address || '。',
               '{{}}'::jsonb,
               CASE WHEN r.status IN ('accepted', 'returned', 'replied', 'called_back') THEN ba.county_id
                    WHEN r.status IN ('archived', 'merged') AND r_unit < 0.3 THEN ba.county_id
                    ELSE ba.station_id END,
               p.id,
               CASE WHEN r.rank >= 2 AND r.status NOT IN ('archived', 'merged') THEN h.id END,
               NULL, r.contacts, 0, 0, 0, r.contacts >= 3,
               CASE WHEN r.rank >= 4 THEN '已处理完毕，经现场核实问题已解决。' ELSE '' END,
               CASE WHEN r.rank >= 5 THEN '已与客户沟通处理结果，客户认可。' ELSE '' END,
               CASE WHEN r.rank >= 6 THEN CASE WHEN r_sat < 0.9 THEN 'satisfied' WHEN r_sat < 0.95 THEN 'basic'
                    WHEN r_sat < 0.98 THEN 'dissatisfied' ELSE 'unreachable' END ELSE '' END,
               CASE WHEN r.rank >= 6 THEN r_sat < 0.95 END,
               r.created_at,
               CASE WHEN r.rank >= 1 THEN least(now(), r.created_at + interval '8 minutes') END,
               CASE WHEN r.rank >= 2 THEN least(now(), r.created_at + interval '15 minutes') END,
               CASE WHEN r.rank >= 3 AND mx.business_type = 'repair'
                    THEN least(now(), r.created_at + interval '40 minutes') END,
               CASE WHEN r.rank >= 4 THEN least(now(), r.created_at + interval '3 hours') END,
               CASE WHEN r.rank >= 5 THEN least(now(), r.created_at + interval '5 hours') END,
               CASE WHEN r.rank >= 6 THEN least(now(), r.created_at + interval '1 day') END,
               CASE WHEN r.rank >= 7 THEN least(now(), r.created_at + interval '2 days')
                    WHEN r.status = 'merged' THEN least(now(), r.created_at + interval '30 minutes') END,
               least(now(), r.created_at + CASE r.rank WHEN 0 THEN interval '0' WHEN 1 THEN interval '8 minutes'
                    WHEN 2 THEN interval '15 minutes' WHEN 3 THEN interval '40 minutes' WHEN 4 THEN interval '3 hours'
                    WHEN 5 THEN interval '5 hours' WHEN 6 THEN interval '1 day' ELSE interval '2 days' END),
               CASE WHEN r.status IN ('archived', 'merged') THEN NULL
                    WHEN mx.business_type = 'repair' THEN r.created_at + interval '4 hours'
                    WHEN mx.business_type = 'complaint' THEN r.created_at + interval '4 days'
                    ELSE r.created_at + interval '5 days' END,
               1 + r.rank + r.contacts - 1,
               1  -- the company: the province, the root of the seeded tree (org.selectors.unit_company_id)
        FROM ranked r
        JOIN bench_mix mx ON mx.slot = r.slot
        JOIN customers_customer c ON c.id = r.cust
        JOIN bench_area ba ON ba.area_id = c.area_id
        JOIN bench_people p ON p.idx = r.agent
        LEFT JOIN org_user h ON h.unit_id = ba.station_id AND h.username LIKE 'hist_handler_%%'
        """
    )


def _events_and_contacts(cur) -> None:
    """The created event of every order, the event of its current status, and one contact per call
    (repeat calls with their repeat_call events)."""
    cur.execute(
        """
        INSERT INTO workorders_workorderevent (kind, at, from_status, to_status, note, data, request_id, actor_id,
            order_id, company_id)
        SELECT 'created', o.created_at, '', 'accepted', o.description,
               jsonb_build_object('after', jsonb_build_object('status', 'accepted', 'unit', o.unit_id,
                                                              'priority', o.priority)),
               '', o.owner_id, o.id, o.company_id
        FROM workorders_workorder o ORDER BY o.id
        """
    )
    cur.execute(
        """
        INSERT INTO workorders_workorderevent (kind, at, from_status, to_status, note, data, request_id, actor_id,
            order_id, company_id)
        SELECT 'repeat_call', o.created_at + k * interval '2 hours', '', '', '客户再次来电催促。',
               jsonb_build_object('after', jsonb_build_object('contact_count', k + 1)), '', o.owner_id, o.id,
               o.company_id
        FROM workorders_workorder o CROSS JOIN LATERAL generate_series(1, o.contact_count - 1) k
        UNION ALL
        SELECT CASE o.status WHEN 'dispatched' THEN 'dispatch' WHEN 'in_progress' THEN 'take'
                   WHEN 'on_site' THEN 'arrive' WHEN 'suspended' THEN 'suspend' WHEN 'resolved' THEN 'resolve'
                   WHEN 'replied' THEN 'reply' WHEN 'called_back' THEN 'callback' WHEN 'archived' THEN 'archive'
                   WHEN 'merged' THEN 'merge' ELSE 'return' END,
               o.updated_at,
               CASE o.status WHEN 'dispatched' THEN 'accepted' WHEN 'in_progress' THEN 'dispatched'
                   WHEN 'on_site' THEN 'in_progress' WHEN 'suspended' THEN 'in_progress'
                   WHEN 'resolved' THEN 'on_site' WHEN 'replied' THEN 'resolved' WHEN 'called_back' THEN 'replied'
                   WHEN 'archived' THEN 'called_back' WHEN 'merged' THEN 'accepted' ELSE 'dispatched' END,
               o.status, '', jsonb_build_object('after', jsonb_build_object('status', o.status)), '',
               coalesce(o.assignee_id, o.owner_id), o.id, o.company_id
        FROM workorders_workorder o WHERE o.status <> 'accepted'
        """
    )
    cur.execute(
        """
        INSERT INTO workorders_contact (channel, phone, summary, is_repeat, at, idempotency_key,
            request_fingerprint, agent_id, customer_id, order_id, company_id)
        SELECT o.channel, o.caller_phone, CASE WHEN k = 0 THEN o.description ELSE '客户再次来电催促。' END, k > 0,
               o.created_at + k * interval '2 hours', NULL, '', o.owner_id, o.customer_id, o.id,
               o.company_id
        FROM workorders_workorder o CROSS JOIN LATERAL generate_series(0, o.contact_count - 1) k
        """
    )
    # The contacts' key rows (workorders 0027): their trigger does not fire under the seed's replica role.
    cur.execute(
        "INSERT INTO workorders_contactkey (contact_id, at, idempotency_key)"
        " SELECT id, at, idempotency_key FROM workorders_contact"
    )


def _advance_sequences(cur) -> None:
    """Identity sequences past the explicit ids; the order-number sequence past the seeded numbers."""
    for table in [*BIG_TABLES, "org_unit", "org_user"]:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"
        )
    cur.execute(
        "SELECT setval('workorder_number_seq', greatest((SELECT last_value FROM workorder_number_seq),"
        " (SELECT coalesce(max(right(number, 8)::bigint), 0) FROM workorders_workorder)))"
    )


def summary() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for label, table in [
            ("units", "org_unit"),
            ("customers", "customers_customer"),
            ("phones", "customers_customerphone"),
            ("orders", "workorders_workorder"),
            ("events", "workorders_workorderevent"),
            ("contacts", "workorders_contact"),
        ]:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            out[label] = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM workorders_workorder WHERE status NOT IN ('archived', 'merged')")
        out["open orders"] = int(cur.fetchone()[0])
        # The unit paths come from triggers that must fire under session_replication_role = replica too.
        cur.execute("SELECT count(*) FROM org_unit WHERE path NOT LIKE '/%/'")
        missing = int(cur.fetchone()[0])
        if missing:
            raise RuntimeError(f"{missing} units have no path: the org_unit path triggers did not run")
    return out
