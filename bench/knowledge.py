"""Case library search benchmark: 10,000 cases, 200 varied searches, p50/p95 (target: p95 < 50 ms).

``.venv/bin/python bench/knowledge.py`` seeds (once per size; ``--cases`` for another) its own database
under ``var/bench-knowledge``: variations of the seeded cases (place, season, customer, wording and tags
vary; one version per case, most published, some drafts and retired ones), written with ``bulk_create``
— the segmented text is computed as the service computes it, the ``tsvector`` by the database. Then it
times, in process:

* 200 searches through the search page's ``CaseFilterSet`` (words alone, words with an area, a
  sub-type or a tag, a filter alone), fetching the first page of 20 as the page and the API do;
* 100 "relevant cases" lookups of the order page (``selectors.relevant_cases``) for made-up orders,

and prints p50/p95 of each. ``--keep-server`` leaves PostgreSQL running.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-knowledge"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)

SEARCHES = 200
ORDERS = 100
PAGE = 20
PLACES = ["城东", "西岭村", "和平路", "新区", "工业园", "老城区", "河湾镇", "北山", "滨江小区", "高铁站片区"]
SEASONS = ["夏季高峰", "冬季寒潮", "台风过后", "春节前", "雨季", "夜间", "周末", "清晨"]
WHO = ["老年客户", "个体商户", "小区业主", "企业电工", "村委会", "餐馆老板", "学校后勤", "医院设备科"]
EXTRA = [
    "客户情绪激动，多次来电。",
    "工单在交接班时被遗漏。",
    "现场照片显示设备老化。",
    "班组长事后进行了回访。",
    "客户要求书面答复。",
    "相关人员已接受培训。",
    "媒体对此事进行了报道。",
    "客户在网上国网提交了评价。",
]
QUERIES = [
    "表箱起火",
    "抢修超时",
    "态度差 挂电话",
    "电表走快",
    "欠费停电 通知",
    "阶梯电价",
    "充电桩 扣费",
    "光伏 电费结算",
    "停电公告 没看到",
    "电压低 空调",
    "频繁停电",
    "营业厅 关门",
    "过户 材料",
    "施工 农田",
    "变压器 噪声",
    "断线落地",
    "产权分界点",
    "重复扣款 退款",
    "回电 承诺",
    "个人信息 泄露",
    "估抄",
    "三指定",
    "代理购电",
    "12345 转办",
    "换表 电量",
    "现金 缴费",
    "树障 跳闸",
    "报装 超时",
    "噪声扰民",
    "安全距离",
]


def _variations(count: int) -> list[dict]:
    from powerdesk.knowledge.models import CaseVersion

    base = list(CaseVersion.objects.filter(state="published").order_by("id").values())
    if not base:
        raise SystemExit("no seeded cases to vary (knowledge 0002 did not run?)")
    rnd = random.Random(15)
    rows = []
    for i in range(count):
        b = dict(rnd.choice(base))
        place, season, who = rnd.choice(PLACES), rnd.choice(SEASONS), rnd.choice(WHO)
        sentences = [s for s in b["situation"].split("。") if s]
        rnd.shuffle(sentences)
        b["title"] = f"{place}{season}：{b['title']}（{i}）"[:200]
        b["situation"] = f"{season}，{place}一位{who}来电。" + "。".join(sentences) + "。" + rnd.choice(EXTRA)
        b["tags"] = [*b["tags"][: rnd.randint(1, len(b["tags"]) or 1)], place]
        b["state"] = rnd.choices(["published", "draft", "retired"], weights=[85, 10, 5])[0]
        rows.append(b)
    return rows


def seed(count: int) -> None:
    from django.db import connection, transaction

    from powerdesk.knowledge.models import Case, CaseVersion
    from powerdesk.knowledge.search import search_fields
    from powerdesk.org.models import User

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_knowledge_seed (cases bigint)")
        cur.execute("SELECT cases FROM bench_knowledge_seed")
        if cur.fetchone() == (count,):
            common.log(f"already seeded: {count:,} cases")
            return
    started = time.monotonic()
    system = User.objects.get(username="system")
    rows = _variations(count)
    common.log(f"  {count:,} variations: {time.monotonic() - started:.1f} s")
    with transaction.atomic():
        # Drop an earlier run's cases (written without steps); the seeded ones have theirs.
        Case.objects.filter(versions__steps__isnull=True).delete()
        from powerdesk.core import clock

        now = clock.now()
        cases = Case.objects.bulk_create(
            [Case(created_by=system, created_at=now) for _ in rows], batch_size=2000
        )
        versions = []
        for case, row in zip(cases, rows, strict=True):
            fields = search_fields(
                title=row["title"],
                tags=row["tags"],
                situation=row["situation"],
                findings=row["findings"],
                should_have=row["should_have"],
                lessons=row["lessons"],
            )
            versions.append(
                CaseVersion(
                    case=case,
                    number=1,
                    state=row["state"],
                    title=row["title"],
                    area_id=row["area_id"],
                    business_type=row["business_type"],
                    sub_type_id=row["sub_type_id"],
                    situation=row["situation"],
                    findings=row["findings"],
                    criteria=row["criteria"],
                    verdict=row["verdict"],
                    judgment=row["judgment"],
                    should_have=row["should_have"],
                    lessons=row["lessons"],
                    tags=row["tags"],
                    author=system,
                    created_at=now,
                    updated_at=now,
                    published_at=now if row["state"] == "published" else None,
                    **fields,
                )
            )
        common.log(f"  segmented: {time.monotonic() - started:.1f} s")
        CaseVersion.objects.bulk_create(versions, batch_size=2000)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM bench_knowledge_seed")
            cur.execute("INSERT INTO bench_knowledge_seed VALUES (%s)", [count])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE knowledge_caseversion")  # as autovacuum would after a bulk load
    common.log(f"seeded {count:,} cases ({time.monotonic() - started:.1f} s)")


def _searches() -> list[dict[str, str]]:
    from powerdesk.workorders.models import SubType, Topic

    rnd = random.Random(200)
    areas = list(Topic.objects.values_list("code", flat=True))
    sub_types = list(SubType.objects.filter(business_type="complaint").values_list("code", flat=True))
    tags = ["产权分界点", "服务态度", "停电公告", "电表校验", "光伏", *PLACES]
    params = []
    for _ in range(SEARCHES):
        kind = rnd.randrange(5)
        p = {"q": rnd.choice(QUERIES)} if kind < 4 else {}
        if kind == 1:
            p["area"] = rnd.choice(areas)
        elif kind == 2:
            p["sub_type"] = rnd.choice(sub_types)
        elif kind in (3, 4):
            p["tag"] = rnd.choice(tags)
        params.append(p)
    return params


def measure() -> None:
    from powerdesk.knowledge import search, selectors
    from powerdesk.knowledge.filters import CaseFilterSet
    from powerdesk.org.models import User
    from powerdesk.workorders.models import SubType, Topic, WorkOrder

    user = User.objects.get(username="system")
    search.segment("预热")  # jieba's dictionary loads once per process, not in a timed search
    list(CaseFilterSet({"q": "预热"}, user=user).qs[:PAGE])
    timings, found = [], 0
    for params in _searches():
        started = time.perf_counter()
        filters = CaseFilterSet(params, user=user)
        rows = list(filters.qs[:PAGE]) if filters.is_valid() else []
        timings.append(time.perf_counter() - started)
        found += len(rows)
    common.log(
        f"search ({SEARCHES}, first page of {PAGE}, {found / SEARCHES:.1f} rows each): "
        f"p50 {common.fmt_ms(common.percentile(timings, 50))}, "
        f"p95 {common.fmt_ms(common.percentile(timings, 95))}"
    )
    rnd = random.Random(100)
    topics = list(Topic.objects.all())
    subs = list(SubType.objects.all())
    panel = []
    for _ in range(ORDERS):
        order = WorkOrder(
            topic=rnd.choice(topics),
            sub_type=rnd.choice(subs) if rnd.random() < 0.7 else None,
            description=f"{rnd.choice(PLACES)}{rnd.choice(QUERIES)}，{rnd.choice(EXTRA)}",
        )
        started = time.perf_counter()
        selectors.relevant_cases(order)
        panel.append(time.perf_counter() - started)
    common.log(
        f"order page's relevant cases ({ORDERS}): p50 {common.fmt_ms(common.percentile(panel, 50))}, "
        f"p95 {common.fmt_ms(common.percentile(panel, 95))}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--keep-server", action="store_true")
    args = parser.parse_args()
    common.django_setup()
    common.migrate()
    try:
        seed(args.cases)
        measure()
    finally:
        if not args.keep_server:
            common.stop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
