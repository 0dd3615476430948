"""Synthetic Cambodian person records with known duplicates, for tests and the benchmark.

Names come from names.csv; villages from the gazetteer CSV (or invented codes). Each person
may be recorded several times by different services, with the errors seen in practice: another
romanisation ("Sophal"/"Sophol"), a doubled or dropped letter, family and given name swapped,
the Khmer name missing or written with the other COENG, a birth date replaced by an estimated
age, a typo in the date, another village of the same district, a phone written another way or
missing, an identity number missing. Never real people.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .normalise import NAMES_CSV

VILLAGES_CSV = Path(__file__).resolve().parents[1] / "places" / "data" / "villages.csv"
FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "name_km",
    "date_of_birth",
    "age",
    "sex",
    "region",
    "locality",
    "postcode",
    "phone",
    "id_number",
    "aliases",
)


@dataclass(frozen=True)
class _Name:
    khmer: str
    romanised: str
    variants: tuple[str, ...]
    sex: str


def _load_names() -> tuple[list[_Name], list[_Name]]:
    given, family = [], []
    with NAMES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not (row["khmer"] and row["romanised"]) or " " in row["romanised"]:
                continue
            variants = tuple(v for v in row["variants"].split("|") if v and " " not in v)
            name = _Name(row["khmer"], row["romanised"], variants, row["sex"] or "u")
            (given if row["kind"] == "given" else family).append(name)
    return given, family


def _load_villages(limit: int | None = None) -> list[str]:
    try:
        with VILLAGES_CSV.open(encoding="utf-8", newline="") as fh:
            codes = [row["code"] for row in csv.DictReader(fh)]
    except FileNotFoundError:  # pragma: no cover
        codes = [
            f"{p:02d}{d:02d}{c:02d}{v:02d}"
            for p in range(1, 26)
            for d in range(1, 5)
            for c in range(1, 4)
            for v in range(1, 6)
        ]
    return codes[:limit] if limit else codes


def _misspell(rng: random.Random, name: _Name) -> str:
    """Another spelling of a romanised name, as a different clerk would write it."""
    text = name.romanised
    choice = rng.random()
    if name.variants and choice < 0.45:
        return rng.choice(name.variants)
    if choice < 0.6 and len(text) > 3:
        i = rng.randrange(1, len(text))
        return text[:i] + text[i - 1] + text[i:]  # a doubled letter
    if choice < 0.75:
        swaps = [("o", "a"), ("a", "o"), ("ou", "o"), ("ea", "a"), ("ey", "ei"), ("y", "i")]
        rng.shuffle(swaps)
        for old, new in swaps:
            if old in text[1:]:
                return text[0] + text[1:].replace(old, new, 1)
    if choice < 0.9 and len(text) > 4:
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + text[i + 1 :]  # a dropped letter
    return text.upper() if rng.random() < 0.5 else text.lower()


def _phone(rng: random.Random) -> str:
    return (
        "0"
        + rng.choice(["12", "15", "16", "17", "69", "70", "77", "78", "89", "92", "96", "97"])
        + "".join(str(rng.randrange(10)) for _ in range(6))
    )


def _reformat_phone(rng: random.Random, phone: str) -> str:
    rest = phone[1:]
    return rng.choice(
        [
            f"+855 {rest[:2]} {rest[2:5]} {rest[5:]}",
            f"{phone[:3]}-{phone[3:6]}-{phone[6:]}",
            f"855{rest}",
            phone,
        ]
    )


def generate(
    entities: int, *, seed: int = 9, duplicate_rate: float = 0.25, village_limit: int | None = None
) -> Iterator[tuple[dict, str]]:
    """Yields (record, entity_id): about `entities` people, a quarter of them recorded 2–4
    times. Record ids are shuffled-looking numbers that say nothing about the entity."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    given, family = _load_names()
    villages = _load_villages(village_limit)
    by_district: dict[str, list[str]] = {}
    for code in villages:
        by_district.setdefault(code[:4], []).append(code)
    record_no = 0
    ids = list(range(int(entities * 1.6) + 10))
    rng.shuffle(ids)
    for entity in range(entities):
        sex = rng.choices(["f", "m"], weights=[6, 4])[0]
        pool = [g for g in given if g.sex in (sex, "u", "")]
        g, f = rng.choice(pool), rng.choice(family)
        year = rng.randint(1960, 2022)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        village = rng.choice(villages)
        phone = _phone(rng) if rng.random() < 0.5 else ""
        id_number = str(rng.randint(100_000_000, 999_999_999)) if rng.random() < 0.3 else ""
        alias = rng.choice(given).romanised if rng.random() < 0.1 else ""
        copies = 1
        if rng.random() < duplicate_rate:
            copies += rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        for copy in range(copies):
            noisy = copy > 0
            given_name, family_name = g.romanised, f.romanised
            if noisy and rng.random() < 0.5:
                given_name = _misspell(rng, g)
            if noisy and rng.random() < 0.25:
                family_name = _misspell(rng, f)
            if noisy and alias and rng.random() < 0.3:
                given_name = alias  # known by the nickname at another service
            if noisy and rng.random() < 0.1:
                given_name, family_name = family_name, given_name
            elif noisy and rng.random() < 0.03:
                given_name = rng.choice(pool).romanised  # another name used at another service
            name_km = f"{f.khmer} {g.khmer}"
            if noisy and rng.random() < 0.4:
                name_km = ""
            elif noisy and rng.random() < 0.15 and len(name_km) > 3:
                i = rng.randrange(1, len(name_km) - 1)  # a sign dropped or added
                name_km = (
                    name_km[:i] + name_km[i + 1 :]
                    if rng.random() < 0.5
                    else (name_km[:i] + rng.choice("\u17c9\u17cb\u17b6") + name_km[i:])
                )
            elif noisy and rng.random() < 0.03:
                name_km = f"{rng.choice(family).khmer} {g.khmer}"  # another family name
            dob, age = f"{year:04d}-{month:02d}-{day:02d}", ""
            if rng.random() < (0.35 if noisy else 0.2):
                dob, age = "", str(max(0, 2026 - year + rng.choice([-2, -1, 0, 0, 0, 1, 2])))
            elif noisy and rng.random() < 0.1:
                dob = (
                    f"{year:04d}-{day:02d}-{month:02d}"
                    if day <= 12
                    else f"{year:04d}-{month:02d}-{min(28, day + 1):02d}"
                )
            v = village
            if noisy and rng.random() < 0.2:
                v = rng.choice(by_district[v[:4]])
            if noisy and rng.random() < 0.1:
                v = ""
            p = phone
            if noisy and p:
                draw = rng.random()
                p = "" if draw < 0.35 else (_phone(rng) if draw < 0.45 else _reformat_phone(rng, p))
            doc = id_number if (not noisy or rng.random() < 0.5) else ""
            if noisy and doc and rng.random() < 0.05:
                j = rng.randrange(len(doc))
                doc = doc[:j] + str(rng.randrange(10)) + doc[j + 1 :]  # a mistyped digit
            record = {
                "record_id": f"P{ids[record_no % len(ids)]:07d}-{record_no}",
                "given_name": given_name,
                "family_name": family_name,
                "name_km": name_km,
                "date_of_birth": dob,
                "age": age,
                "sex": sex if not (noisy and rng.random() < 0.05) else rng.choice(["", "m", "f"]),
                "region": v[:2],
                "locality": v[:4],
                "postcode": v,
                "phone": p,
                "id_number": doc,
                "aliases": alias if not noisy else "",
            }
            record_no += 1
            yield record, f"E{entity}"


def true_pairs(entity_of: dict[str, str]) -> set[tuple[str, str]]:
    """Every pair of record ids that belong to one entity, each as (smaller, larger)."""
    groups: dict[str, list[str]] = {}
    for record_id, entity in entity_of.items():
        groups.setdefault(entity, []).append(record_id)
    pairs = set()
    for ids in groups.values():
        ids.sort()
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                pairs.add((ids[i], ids[j]))
    return pairs


def pair_scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict:
    """Precision, recall and F1 of predicted pairs against the true ones."""
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "true_positives": tp,
    }
