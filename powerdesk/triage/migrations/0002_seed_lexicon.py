"""The lexicon's first rows: safety-hazard words (a call holding one is always urgent) and words of an
unhappy or calm caller. The angry words are the early warning's, moved here by ``risk 0004``.

Written for this lexicon (source grade U: to be tuned on real calls); administrators add words in the
admin (分诊词库) and a new hazard word works the same day."""

from django.db import migrations

HAZARD = [
    # term, weight, note
    ("触电", 5, "人身触电"), ("电到人", 5, "人身触电"), ("被电了", 5, "人身触电"), ("电死", 5, "人身触电"),
    ("冒烟", 4, "设备冒烟"), ("起火", 5, "火情"), ("着火", 5, "火情"), ("烧着了", 5, "火情"), ("烧起来", 5, "火情"),
    ("断线落地", 5, "导线落地"), ("电线掉地上", 5, "导线落地"), ("电线掉在地上", 5, "导线落地"),
    ("线掉地上", 5, "导线落地"), ("掉在地上", 3, "导线落地"), ("垂到地上", 4, "导线落地"),
    ("漏电", 4, "漏电"), ("麻手", 3, "漏电"), ("火花", 4, "放电打火"), ("打火", 3, "放电打火"),
    ("焦味", 3, "过热"), ("烧焦", 3, "过热"), ("爆炸", 5, "设备爆炸"),
    ("电线杆倒", 4, "杆塔倾倒"), ("杆子倒", 4, "杆塔倾倒"), ("压在电线上", 4, "外力破坏"), ("掉在水", 4, "导线落水"),
    ("被电", 5, "人身触电"), ("电了一下", 5, "人身触电"), ("电麻", 4, "人身触电"), ("带电", 3, "裸露带电"),
    ("火星", 4, "放电打火"), ("冒火", 5, "火情"), ("烟味", 3, "过热"), ("糊味", 3, "过热"), ("电弧", 4, "放电打火"),
    ("碰到房顶", 4, "安全距离"), ("搭在树", 4, "导线碰树"), ("碰到树", 4, "导线碰树"), ("泡在水", 4, "导线落水"),
    ("积水里", 3, "导线落水"), ("挂断", 4, "外力破坏"), ("被撬", 4, "表箱被撬"), ("露着", 3, "裸露带电"),
    ("裸露", 3, "裸露带电"), ("盖板没了", 4, "电缆沟敞开"), ("井盖没了", 4, "电缆井敞开"), ("围栏倒", 4, "围栏损坏"),
    ("断线", 4, "导线断落"), ("线断了", 4, "导线断落"), ("垂下来", 4, "导线下垂"), ("伸手就能碰到", 4, "导线下垂"),
]
UNHAPPY = [
    ("又停电", 1, "反复"), ("等了半天", 1, "等待"), ("多久了", 1, "等待"), ("怎么回事", 1, "质疑"),
    ("不满意", 2, "不满"), ("上点心", 1, "不满"), ("太慢", 1, "不满"), ("一直没人", 1, "等待"),
    ("第二次打", 1, "反复"), ("耽误事", 1, "不满"),
]
CALM = [("谢谢", 1, "礼貌"), ("麻烦你们", 1, "礼貌"), ("请问", 1, "礼貌")]


def seed(apps, schema_editor):
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    for kind, rows in (("hazard", HAZARD), ("unhappy", UNHAPPY), ("calm", CALM)):
        for term, weight, note in rows:
            LexiconTerm.objects.update_or_create(term=term, kind=kind, defaults={"weight": weight, "note": note})


def unseed(apps, schema_editor):
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    for kind, rows in (("hazard", HAZARD), ("unhappy", UNHAPPY), ("calm", CALM)):
        LexiconTerm.objects.filter(kind=kind, term__in=[t for t, _w, _n in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_lexicon_models_and_records")]
    operations = [migrations.RunPython(seed, unseed)]
