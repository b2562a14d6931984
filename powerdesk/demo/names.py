"""Plausible, fictional Chinese personal names, phone numbers and ID numbers for the demo county."""

from __future__ import annotations

import datetime as dt
import random

# Common surnames, the most frequent ones repeated so they come up more often.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜钟谭陆汪范金石廖贾夏方邹孟熊邱江尹薛雷侯龙陶黎顾毛郝龚邵钱严戴汤"
)
MALE = "伟强军建国华明志勇杰涛斌刚峰磊超波辉平东林海鹏飞洪文兵亮新春永德福根荣发宏忠宝庆山水生"
FEMALE = "芳娟敏静丽艳霞燕红玲萍秀英华梅琴兰凤洁雪慧晶婷颖倩佳琳莉云彩月桂珍翠玉淑"

MOBILE_PREFIXES = (
    "139",
    "138",
    "137",
    "136",
    "135",
    "150",
    "151",
    "158",
    "159",
    "188",
    "187",
    "182",
    "133",
    "153",
    "180",
    "189",
    "177",
    "199",
    "181",
    "157",
)

# The county's telephone area code (a real, valid one: the numbers behind it are made up).
AREA_CODE = "0571"

# A fictional administrative-division prefix for the county (not assigned to any real place).
ID_PREFIX = "339921"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def person_name(rng: random.Random, *, female: bool | None = None) -> str:
    if female is None:
        female = rng.random() < 0.5
    chars = FEMALE if female else MALE
    given = rng.choice(chars) if rng.random() < 0.35 else rng.choice(chars) + rng.choice(chars)
    return rng.choice(SURNAMES) + given


class PhoneBook:
    """Hands out unique mobile and local landline numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def mobile(self, prefixes: tuple[str, ...] = MOBILE_PREFIXES) -> str:
        while True:
            number = self.rng.choice(prefixes) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used:
                self.used.add(number)
                return number

    def landline(self) -> str:
        """A local number with the (fictional county's) area code, as core.phones stores it: a landline
        without its area code is not a number intake accepts."""
        while True:
            number = f"{AREA_CODE}6{self.rng.choice('3568')}{self.rng.randrange(10**6):06d}"
            if number not in self.used:
                self.used.add(number)
                return number


def id_number(rng: random.Random, *, female: bool) -> str:
    """An 18-character resident ID number with a valid check digit, under the fictional prefix."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
    seq = rng.randrange(1, 500) * 2 + (0 if female else 1)
    body = f"{ID_PREFIX}{born:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]
