"""A national-scale synthetic dataset for the benchmarks, bulk-loaded into PostgreSQL.

At `--scale 1`: 1,000,000 people, 250,000 cases (each with a trafficking profile, most with an
assessment and its scores, notes, services delivered, some with a shelter placement),
100,000 hotline reports, 20,000 proceedings (investigations with their victims, some in
court) and 5,000,000 audit events forming one valid hash chain.

Everything is invented: names are random pairs from ctip/core/data/names.csv (romanised and
Khmer script), never real people. Provinces are weighted by the 2019 census; ages lean to
children of 12-17 and young adults; organisations are one social-affairs department and one
police office per province (the demo organisations stand in for Phnom Penh and Siem Reap), so
the demo logins (`seed_demo`, run first) see a realistic national share of the data.

Loading goes through PostgreSQL COPY (psycopg 3 `cursor.copy`), one transaction per table:
a table already loaded is skipped on the next run (state in `bench_generate_state`), so an
interrupted run resumes where it stopped; `--reset` drops and recreates the database first.

    DATABASE_URL=postgres://postgres@127.0.0.1:55434/ctip .venv/bin/python bench/generate.py
    ... bench/generate.py --scale 0.1           # a tenth
    ... bench/generate.py --scale 0.01 --reset  # a quick run from an empty database

`--scale` below 0.05 also runs on SQLite (no COPY there: big bulk_create batches instead).
Afterwards `manage.py audit_verify` passes. Writes bench/results/generate.json.
"""

# Synthetic data: random is not for secrets, md5 only spreads ids, and the SQL is built from
# model metadata (table and column names), never from input.
# ruff: noqa: S311, S324, S608

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.base")
# A development tool: without SECRET_KEY, run with the local development settings.
if not os.environ.get("SECRET_KEY"):
    os.environ.setdefault("DEBUG", "1")

RESULTS = ROOT / "bench" / "results"
SEED = 20261122
FULL = {
    "people": 1_000_000,
    "cases": 250_000,
    "reports": 100_000,
    "proceedings": 20_000,
    "audit": 5_000_000,
}
BENCH_DOMAIN = "bench.ctip.test"
PREFIXES = (12, 15, 16, 17, 77, 92, 96, 97)  # Cambodian mobile prefixes
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 11, 15)

# Population by NCDD province code, General Population Census of Cambodia 2019.
PROVINCE_POPULATION = {
    "01": 861_883, "02": 997_169, "03": 899_791, "04": 527_027, "05": 877_523,
    "06": 677_260, "07": 592_845, "08": 1_195_547, "09": 123_618, "10": 372_825,
    "11": 88_649, "12": 2_281_951, "13": 254_827, "14": 1_057_428, "15": 411_759,
    "16": 204_027, "17": 1_014_234, "18": 310_072, "19": 165_713, "20": 525_497,
    "21": 900_914, "22": 276_038, "23": 41_798, "24": 75_112, "25": 776_841,
}  # fmt: skip
# Trafficking is not spread like population: border and migration provinces weigh more.
PROVINCE_RISK = {"01": 2.5, "02": 1.8, "22": 2.0, "14": 1.5, "20": 1.5, "24": 1.5, "12": 1.2}


def _weights(pairs: dict) -> tuple[list, list[float]]:
    return list(pairs), [float(w) for w in pairs.values()]


class Progress:
    """One line per table on stderr: a bar, rows done of the target and the rate."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.shown = time.perf_counter()

    def add(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.shown >= 0.5:
            self.shown = now
            self._draw(now, end="\r")

    def _draw(self, now: float, end: str) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        rate = self.done / max(now - self.started, 1e-9)
        sys.stderr.write(
            f"{self.label:<24} [{bar:<30}] {self.done:>10,}/{self.total:,} {rate:>10,.0f} rows/s"
            f"{end}"
        )
        sys.stderr.flush()

    def close(self) -> float:
        now = time.perf_counter()
        self._draw(now, end=f"  {now - self.started:.1f}s\n")
        return now - self.started


def det_uuid(kind: str, i: int) -> uuid.UUID:
    """A stable, evenly spread uuid for generated row `i` of `kind` (so targets are known)."""
    return uuid.UUID(bytes=hashlib.md5(f"ctip-bench:{kind}:{i}".encode()).digest(), version=4)


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def at_time(rng: random.Random, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(7 * 3600, 19 * 3600)
    )


class Generator:
    def __init__(self, scale: float, out=sys.stdout) -> None:
        import django

        django.setup()
        from django.db import connection

        self.connection = connection
        self.scale = scale
        self.counts = {k: max(1, round(v * scale)) for k, v in FULL.items()}
        self.out = out
        self.timings: dict[str, dict] = {}
        self.rng = random.Random(SEED)
        self.postgres = connection.vendor == "postgresql"
        self.superuser = False
        if self.postgres:
            with connection.cursor() as c:
                c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                self.superuser = bool(c.fetchone()[0])

    # --- plumbing ---------------------------------------------------------------------------

    def cursor(self):
        return self.connection.cursor()

    def ensure_state(self) -> None:
        with self.cursor() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS bench_generate_state ("
                " step varchar(40) PRIMARY KEY, first_id bigint, rows bigint, seconds real)"
            )

    def state(self, step: str) -> tuple[int, int] | None:
        with self.cursor() as c:
            c.execute("SELECT first_id, rows FROM bench_generate_state WHERE step = %s", [step])
            row = c.fetchone()
        return (row[0], row[1]) if row else None

    def ids(self, step: str) -> range:
        first, rows = self.state(step)
        return range(first, first + rows)

    def load(self, model, rows: Iterable[dict], *, total: int, label: str) -> tuple[int, int]:
        """Loads dicts (attname -> value) into the model's table; returns (first id, rows).

        Columns not given get the field's default, null, or "" (blank text). Ids are explicit
        (max + 1 onwards) so that children can refer to rows without reading them back.
        """
        from django.db import models as m

        fields = [f for f in model._meta.concrete_fields]
        table = model._meta.db_table
        with self.cursor() as c:
            if self.postgres:
                c.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            c.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
            first = c.fetchone()[0]
        fallback = []
        for f in fields:
            if f.has_default() and not callable(f.default):
                value = f.default
            elif isinstance(f, m.JSONField) and f.has_default():
                value = f.default()
            elif f.null:
                value = None
            else:
                value = ""
            if isinstance(f, m.JSONField) and value is not None:
                value = json.dumps(value)
            elif hasattr(value, "value"):  # a TextChoices member
                value = value.value
            fallback.append(value)
        names = [f.attname for f in fields]
        json_cols = {i for i, f in enumerate(fields) if isinstance(f, m.JSONField)}
        progress = Progress(label, total)

        def tuples() -> Iterator[list]:
            for n, row in enumerate(rows):
                row["id"] = first + n
                values = [row.get(name, fb) for name, fb in zip(names, fallback, strict=True)]
                for i in json_cols:
                    if not isinstance(values[i], str) and values[i] is not None:
                        values[i] = json.dumps(values[i], ensure_ascii=False)
                yield values

        count = 0
        if self.postgres:
            columns = ", ".join(f'"{f.column}"' for f in fields)
            with self.cursor() as c:
                with c.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for values in tuples():
                        copy.write_row(values)
                        count += 1
                        if count % 2000 == 0:
                            progress.add(2000)
                progress.add(count % 2000)
                c.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"))',
                    [table],
                )
        else:
            batch = []
            for values in tuples():
                batch.append(model(**dict(zip(names, values, strict=True))))
                if len(batch) == 5000:
                    model.objects.bulk_create(batch)
                    progress.add(len(batch))
                    count += len(batch)
                    batch = []
            model.objects.bulk_create(batch)
            progress.add(len(batch))
            count += len(batch)
        self.timings[label] = {"rows": count, "seconds": round(progress.close(), 2)}
        self.timings[label]["rows_per_second"] = round(
            count / max(self.timings[label]["seconds"], 1e-9)
        )
        return first, count

    def step(self, name: str, fn) -> None:
        """Runs one loading step in one transaction, unless an earlier run finished it."""
        from django.db import transaction

        if self.state(name) is not None:
            self.out.write(f"{name}: already loaded, skipped\n")
            return
        started = time.perf_counter()
        with transaction.atomic():
            if self.postgres and self.superuser:
                # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: PostgreSQL queues
                # one check per row and runs them all at COMMIT, which took longer than the
                # COPY itself by far (9 min for 1.7 M assessment scores on a loaded 2-core
                # machine). The generator makes only valid references (ids it just loaded),
                # so, like pg_restore --disable-triggers, it loads in replica mode: no FK
                # triggers for this transaction. (The audit log's append-only triggers refuse
                # UPDATE and DELETE only; COPY is an INSERT.)
                with self.cursor() as c:
                    c.execute("SET LOCAL session_replication_role = replica")
            first, rows = fn()
            with self.cursor() as c:
                c.execute(
                    "INSERT INTO bench_generate_state (step, first_id, rows, seconds) "
                    "VALUES (%s, %s, %s, %s)",
                    [name, first, rows, time.perf_counter() - started],
                )

    # --- reference data, organisations, users --------------------------------------------

    def prepare(self) -> None:
        from django.core.management import call_command

        from ctip.core.management.commands.seed_demo import load_names
        from ctip.places.models import Village

        if not Village.objects.exists():
            call_command("load_reference_data")
        from ctip.accounts.models import User

        if not User.objects.filter(email__endswith="@demo.ctip.test").exists():
            self.out.write("seed_demo: creating the demo organisations, logins and records…\n")
            call_command("seed_demo")
        self.given, self.family = load_names()
        self.given_f = [n for n in self.given if n.sex in ("f", "u")]
        self.given_m = [n for n in self.given if n.sex in ("m", "u")]
        with self.cursor() as c:
            c.execute(
                "SELECT v.code, d.province_id, d.code FROM places_village v "
                "JOIN places_commune co ON co.code = v.commune_id "
                "JOIN places_district d ON d.code = co.district_id WHERE v.is_active"
            )
            self.villages: dict[str, list[str]] = {}
            self.districts: dict[str, list[str]] = {}
            self.province_of_village: dict[str, str] = {}
            for village, province, district in c.fetchall():
                self.villages.setdefault(province, []).append(village)
                self.districts.setdefault(province, [])
                if district not in self.districts[province]:
                    self.districts[province].append(district)
                self.province_of_village[village] = province
        self.provinces = sorted(p for p in PROVINCE_POPULATION if p in self.villages)
        self.people_weights = [PROVINCE_POPULATION[p] for p in self.provinces]
        self.case_weights = [
            PROVINCE_POPULATION[p] * PROVINCE_RISK.get(p, 1.0) for p in self.provinces
        ]

    def organisations(self) -> None:
        """One social-affairs department and one police office per province, with staff."""
        from django.contrib.auth.hashers import make_password

        from ctip.accounts.models import Organisation, OrganisationType, User, UserRole
        from ctip.accounts.roles import Role
        from ctip.places.models import Province

        existing = {o.code: o for o in Organisation.objects.all()}
        province_names = {p.code: p for p in Province.objects.all()}
        self.social: dict[str, Organisation] = {}
        self.police: dict[str, Organisation] = {}
        share = sum(self.case_weights)
        for code, weight in zip(self.provinces, self.case_weights, strict=True):
            name = province_names[code].name_en
            for kind, store, otype, label, demo in (
                ("sa", self.social, OrganisationType.SOCIAL_AFFAIRS, "Social Affairs", None),
                ("po", self.police, OrganisationType.POLICE, "Anti-Trafficking Police", None),
            ):
                demo = {("sa", "12"): "pnh-social", ("sa", "17"): "srp-social"}.get(
                    (kind, code)
                ) or {("po", "12"): "pnh-police"}.get((kind, code))
                org = existing.get(demo) if demo else existing.get(f"b{kind}{code}")
                if org is None:
                    org = Organisation.objects.create(
                        code=f"b{kind}{code}",
                        name=f"{name} {label} (synthetic)",
                        name_km="",
                        type=otype,
                    )
                    org.provinces.set([code])
                store[code] = org
                # Staff in proportion to the province's expected caseload (about 400 cases
                # per case worker over the years), so the demo case worker's share is typical.
                workers = max(2, round(self.counts["cases"] * weight / share / 400))
                role = Role.CASE_WORKER if kind == "sa" else Role.INVESTIGATOR
                have = User.objects.filter(
                    organisation=org, email__endswith=f"@{BENCH_DOMAIN}"
                ).count()
                if have < workers:
                    password = make_password(None)  # unusable: only demo logins sign in
                    users = User.objects.bulk_create(
                        [
                            User(
                                email=f"{kind}{code}.{n}@{BENCH_DOMAIN}",
                                full_name=self.name_pair()[0],
                                organisation=org,
                                password=password,
                            )
                            for n in range(have, workers)
                        ]
                    )
                    UserRole.objects.bulk_create([UserRole(user=u, role=role) for u in users])
        self.hotline = existing["tipline"]
        self.ngos = [existing[c] for c in ("lantern", "bamboo", "tworivers") if c in existing]
        demo = {
            u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.ctip.test")
        }
        self.demo_users = demo
        self.workers: dict[int, list[int]] = {}
        for user_id, org_id, _role in UserRole.objects.filter(
            role__in=[Role.CASE_WORKER, Role.INVESTIGATOR, Role.HOTLINE_OPERATOR]
        ).values_list("user_id", "user__organisation_id", "role"):
            self.workers.setdefault(org_id, []).append(user_id)
        self.supervisors = dict(
            UserRole.objects.filter(role=Role.CASE_SUPERVISOR).values_list(
                "user__organisation_id", "user_id"
            )
        )
        self.actors = list(
            User.objects.filter(is_active=True).values_list("id", "email", "organisation_id")
        )

    def name_pair(self, sex: str = "") -> tuple[str, str, str, str]:
        """(romanised full name, family, given, Khmer full name) drawn at random."""
        family = self.rng.choice(self.family)
        pool = self.given_f if sex == "f" else self.given_m if sex == "m" else self.given
        given = self.rng.choice(pool)
        return (
            f"{family.romanised} {given.romanised}",
            family.romanised,
            given.romanised,
            f"{family.khmer} {given.khmer}",
        )

    # --- people -----------------------------------------------------------------------------

    def people_rows(self) -> Iterator[dict]:
        rng = self.rng
        n = self.counts["people"]
        provinces = rng.choices(self.provinces, self.people_weights, k=n)
        sexes = rng.choices(["f", "m", "x", "u"], [62, 36, 0.5, 1.5], k=n)
        age_bands = rng.choices(
            [(0, 11), (12, 17), (18, 24), (25, 35), (36, 60)], [6, 42, 30, 15, 7], k=n
        )
        for i in range(n):
            province = provinces[i]
            sex = sexes[i]
            _full, family, given, khmer = self.name_pair(sex)
            registered = day_between(rng, FIRST_DAY, LAST_DAY)
            age = rng.randint(*age_bands[i])
            known = rng.random() < 0.7
            roll = rng.random()
            org = (
                self.social[province]
                if roll < 0.85
                else self.police[province]
                if roll < 0.95
                else self.hotline
            )
            created = at_time(rng, registered)
            yield {
                "uuid": det_uuid("person", i),
                "created_at": created,
                "updated_at": created,
                "organisation_id": org.pk,
                "given_name": given,
                "family_name": family,
                "name_km": khmer,
                "sex": sex,
                "date_of_birth": (
                    registered - timedelta(days=age * 365 + rng.randrange(365)) if known else None
                ),
                "estimated_age": None if known else age,
                "age_estimation": "document" if known else rng.choice(["self", "appearance"]),
                "nationality_id": "KH" if rng.random() < 0.97 else rng.choice(["VN", "TH", "LA"]),
                "home_village_id": rng.choice(self.villages[province]),
                "phone": f"0{rng.choice(PREFIXES)}{rng.randrange(10**6, 10**7)}"
                if rng.random() < 0.4
                else "",
            }

    def load_people(self) -> tuple[int, int]:
        from ctip.people.models import Person

        return self.load(Person, self.people_rows(), total=self.counts["people"], label="people")

    # --- cases and their records ------------------------------------------------------------

    def case_people(self) -> list[tuple]:
        """The people who have a case: every fourth person (id, province, sex, age, created)."""
        ids = self.ids("people")
        step = max(1, len(ids) // self.counts["cases"])
        with self.cursor() as c:
            c.execute(
                "SELECT id, home_village_id, sex, COALESCE(estimated_age, "
                "  EXTRACT(YEAR FROM age(created_at::date, date_of_birth))::int), created_at "
                "FROM people_person WHERE id >= %s AND id < %s AND (id - %s) %% %s = 0 "
                "ORDER BY id LIMIT %s",
                [ids.start, ids.stop, ids.start, step, self.counts["cases"]],
            )
            return c.fetchall()

    def case_rows(self, people: list[tuple]) -> Iterator[dict]:
        from ctip.cases import vocabulary as v

        rng = self.rng
        exploitation = {
            v.ExploitationType.FORCED_LABOUR: 33,
            v.ExploitationType.SEXUAL: 30,
            v.ExploitationType.FORCED_CRIMINALITY: 16,
            v.ExploitationType.FORCED_MARRIAGE: 8,
            v.ExploitationType.CHILD_LABOUR: 5,
            v.ExploitationType.SERVITUDE: 4,
            v.ExploitationType.FORCED_BEGGING: 3,
            v.ExploitationType.OTHER: 1,
        }
        types, type_weights = _weights(exploitation)
        industries = list(v.LabourIndustry.values)
        controls = list(v.MeansOfControl.values)
        recruitment = list(v.RecruitmentMethod.values)
        from ctip.cases.models import Case

        relations = [c for c, _l in Case._meta.get_field("recruiter_relation").choices]
        statuses, status_weights = _weights(
            {"closed": 55, "follow_up": 10, "reintegration": 10, "active": 15, "open": 10}
        )
        today = LAST_DAY
        for i, (person_id, village, _sex, age, created) in enumerate(people):
            province = self.province_of_village[village]
            org = self.social[province]
            workers = self.workers.get(org.pk) or [self.demo_users["caseworker"].pk]
            opened = min(created.date() + timedelta(days=rng.randrange(30)), today)
            status = rng.choices(statuses, status_weights)[0]
            if (today - opened).days < 120 and status == "closed":
                status = "active"
            kinds = {rng.choices(types, type_weights)[0]}
            if rng.random() < 0.1:
                kinds.add(rng.choices(types, type_weights)[0])
            sexual = (
                [rng.choice(list(v.SexualExploitationType.values))]
                if "SexualExploitation" in kinds
                else []
            )
            at = at_time(rng, opened)
            yield {
                "uuid": det_uuid("case", i),
                "created_at": at,
                "updated_at": at,
                "organisation_id": org.pk,
                "number": f"B-{org.code.upper()}-{opened.year}-{i:07d}",
                "person_id": person_id,
                "status": status,
                "source": rng.choices(["direct", "screening", "referral"], [30, 45, 25])[0],
                "opened_on": opened,
                "case_worker_id": rng.choice(workers),
                "supervisor_id": self.supervisors.get(org.pk),
                "closed_on": (
                    min(opened + timedelta(days=rng.randrange(120, 900)), today)
                    if status == "closed"
                    else None
                ),
                "closure_reason": "Reintegrated; follow-up complete." if status == "closed" else "",
                "trafficking_status": rng.choices(
                    [
                        "ActualVictimOfTrafficking",
                        "PossibleVictimOfTrafficking",
                        "NotAVictimOfTrafficking",
                    ],
                    [70, 25, 5],
                )[0],
                "exploitation_types": sorted(kinds),
                "sexual_exploitation_types": sexual,
                "forced_labour_industry": rng.choice(industries) if "ForcedLabour" in kinds else "",
                "means_of_control": rng.sample(controls, rng.randint(1, 3)),
                "recruitment_methods": rng.sample(recruitment, rng.randint(1, 2)),
                "recruiter_relation": rng.choice(relations),
                "age_when_trafficked": max(0, (age or 18) - rng.randrange(2)),
                "exploitation_started_on": opened - timedelta(days=rng.randrange(30, 700)),
                "exploitation_ended_on": opened - timedelta(days=rng.randrange(0, 30)),
                "hiv_status": rng.choice(["negative", "not_tested", "declined", ""]),
            }

    def load_cases(self) -> tuple[int, int]:
        from ctip.cases.models import Case

        return self.load(
            Case, self.case_rows(self.case_people()), total=self.counts["cases"], label="cases"
        )

    def cases(self) -> list[tuple]:
        ids = self.ids("cases")
        with self.cursor() as c:
            c.execute(
                "SELECT id, organisation_id, opened_on, case_worker_id, status, closed_on "
                "FROM cases_case WHERE id >= %s AND id < %s ORDER BY id",
                [ids.start, ids.stop],
            )
            return c.fetchall()

    def load_destinations(self) -> tuple[int, int]:
        from ctip.cases.models import Case

        through = Case.destination_countries.through
        countries, weights = _weights(
            {
                None: 35,
                "TH": 35,
                "CN": 10,
                "MY": 8,
                "VN": 5,
                "KR": 2,
                "JP": 1,
                "SA": 1,
                "MM": 2,
                "LA": 1,
            }
        )
        rng = self.rng

        cases = self.cases()

        def rows():
            for case_id, *_rest in cases:
                country = rng.choices(countries, weights)[0]
                if country:
                    yield {"case_id": case_id, "country_id": country}

        return self.load(
            through, rows(), total=int(self.counts["cases"] * 0.65), label="case destinations"
        )

    def load_events(self) -> tuple[int, int]:
        from ctip.cases.models import TraffickingEvent

        rng = self.rng

        cases = self.cases()

        def rows():
            for i, (case_id, _org, opened, *_r) in enumerate(cases):
                at = at_time(rng, opened)
                yield {
                    "uuid": det_uuid("event", i),
                    "created_at": at,
                    "updated_at": at,
                    "case_id": case_id,
                    "type": "Exploitation",
                    "happened_on": opened - timedelta(days=rng.randrange(10, 400)),
                    "country_id": rng.choice(["KH", "TH", "TH", "CN", "MY"]),
                    "place": rng.choice(
                        ["Poipet", "Bangkok", "Sihanoukville", "Phnom Penh", "Rayong"]
                    ),
                }

        return self.load(
            TraffickingEvent, rows(), total=self.counts["cases"], label="trafficking events"
        )

    NOTE_TEXTS = (
        "Home visit: the family is cooperative; school enrolment discussed.",
        "Phone call: the client reports feeling safe; next visit agreed.",
        "Office meeting: reviewed the care plan goals and vocational options.",
        "Third party: the commune council confirmed the family's address.",
        "Follow-up: attended counselling; sleeping better, still anxious about court.",
    )

    def load_notes(self) -> tuple[int, int]:
        from ctip.cases.models import CaseNote

        rng = self.rng

        cases = self.cases()

        def rows():
            n = 0
            for case_id, _org, opened, worker, _status, closed in cases:
                end = closed or LAST_DAY
                for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
                    day = day_between(rng, opened, end)
                    at = at_time(rng, day)
                    yield {
                        "uuid": det_uuid("note", n),
                        "created_at": at,
                        "updated_at": at,
                        "created_by_id": worker,
                        "case_id": case_id,
                        "kind": rng.choice(["visit", "phone", "office", "third_party"]),
                        "happened_on": day,
                        "text": rng.choice(self.NOTE_TEXTS),
                        "is_sensitive": rng.random() < 0.1,
                    }
                    n += 1

        return self.load(CaseNote, rows(), total=self.counts["cases"] * 3, label="case notes")

    def load_assessments(self) -> tuple[int, int]:
        from ctip.care.models import Assessment, Instrument

        rng = self.rng
        instrument = Instrument.objects.filter(kind="needs").order_by("id").first()

        cases = self.cases()

        def rows():
            n = 0
            for case_id, _org, opened, worker, _status, _closed in cases:
                if rng.random() < 0.85:
                    at = at_time(rng, opened + timedelta(days=rng.randrange(1, 20)))
                    yield {
                        "uuid": det_uuid("assessment", n),
                        "created_at": at,
                        "updated_at": at,
                        "created_by_id": worker,
                        "case_id": case_id,
                        "instrument_id": instrument.pk,
                        "assessed_on": at.date(),
                        "assessed_by_id": worker,
                        "summary": "Initial needs assessment.",
                        "next_due_on": at.date() + timedelta(days=instrument.repeat_every_days),
                    }
                    n += 1

        return self.load(
            Assessment, rows(), total=int(self.counts["cases"] * 0.85), label="assessments"
        )

    def load_scores(self) -> tuple[int, int]:
        from ctip.care.models import AssessmentScore, Domain, Instrument, Level

        rng = self.rng
        instrument = Instrument.objects.filter(kind="needs").order_by("id").first()
        domains = list(Domain.objects.filter(instrument=instrument).values_list("id", flat=True))
        levels = list(Level.objects.filter(instrument=instrument).values_list("score", flat=True))
        assessments = self.ids("assessments")

        def rows():
            for assessment_id in assessments:
                for domain_id in domains:
                    yield {
                        "assessment_id": assessment_id,
                        "domain_id": domain_id,
                        "score": rng.choice(levels),
                    }

        return self.load(
            AssessmentScore,
            rows(),
            total=len(assessments) * len(domains),
            label="assessment scores",
        )

    def load_services(self) -> tuple[int, int]:
        from ctip.care.models import ServiceDelivery, ServiceType

        rng = self.rng
        services = list(ServiceType.objects.values_list("id", flat=True))
        providers = [o.pk for o in self.ngos] or [self.hotline.pk]

        cases = self.cases()

        def rows():
            n = 0
            for case_id, org, opened, worker, _status, closed in cases:
                for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                    day = day_between(rng, opened, closed or LAST_DAY)
                    at = at_time(rng, day)
                    status = rng.choices(
                        ["delivered", "confirmed", "requested", "declined"], [75, 10, 10, 5]
                    )[0]
                    yield {
                        "uuid": det_uuid("service", n),
                        "created_at": at,
                        "updated_at": at,
                        "created_by_id": worker,
                        "case_id": case_id,
                        "service_id": rng.choice(services),
                        "provider_id": rng.choice(providers + [org]),
                        "status": status,
                        "requested_on": day,
                        "delivered_on": day + timedelta(days=rng.randrange(1, 30))
                        if status == "delivered"
                        else None,
                    }
                    n += 1

        return self.load(
            ServiceDelivery, rows(), total=self.counts["cases"] * 2, label="services delivered"
        )

    def load_placements(self) -> tuple[int, int]:
        from ctip.shelters.models import CapacityBand, Placement

        rng = self.rng
        bands = list(CapacityBand.objects.values_list("id", "facility_id"))

        cases = self.cases()

        def rows():
            n = 0
            for case_id, _org, opened, worker, status, _closed in cases:
                if not bands or rng.random() >= 0.2:
                    continue
                band, facility = rng.choice(bands)
                admitted = opened + timedelta(days=rng.randrange(0, 10))
                current = status in ("open", "active") and rng.random() < 0.15
                at = at_time(rng, admitted)
                yield {
                    "uuid": det_uuid("placement", n),
                    "created_at": at,
                    "updated_at": at,
                    "created_by_id": worker,
                    "case_id": case_id,
                    "facility_id": facility,
                    "band_id": band,
                    "admitted_on": admitted,
                    "discharged_on": None
                    if current
                    else admitted + timedelta(days=rng.randrange(14, 365)),
                    "discharge_reason": ""
                    if current
                    else rng.choice(["reintegrated", "reintegrated", "transferred", "left"]),
                }
                n += 1

        return self.load(
            Placement, rows(), total=int(self.counts["cases"] * 0.2), label="placements"
        )

    # --- reports and proceedings ------------------------------------------------------------

    REPORT_TEXTS = (
        "Caller says her niece was promised restaurant work in Thailand and now cannot leave.",
        "Neighbour reports children selling flowers late at night, an adult collects the money.",
        "A young man messaged from a compound; passport taken, forced to run online scams.",
        "Karaoke venue: girls who look under 16 seen arriving with an older man.",
        "Fishing boat crew member's wife: no contact for four months, wages never paid.",
    )

    def report_rows(self) -> Iterator[dict]:
        rng = self.rng
        n = self.counts["reports"]
        span = (LAST_DAY - FIRST_DAY).days * 86400
        start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
        offsets = sorted(rng.randrange(span) for _ in range(n))
        sources, source_weights = _weights(
            {"hotline": 55, "web": 15, "sms": 10, "walk_in": 5, "partner": 10, "police": 5}
        )
        recent = start + timedelta(seconds=span) - timedelta(days=21)
        accepted_since = recent - timedelta(days=60)
        per_year: dict[int, int] = {}
        for i in range(n):
            received = start + timedelta(seconds=offsets[i])
            per_year[received.year] = per_year.get(received.year, 0) + 1
            province = rng.choices(self.provinces, self.case_weights)[0]
            urgency = rng.choices(["immediate", "urgent", "routine"], [8, 27, 65])[0]
            # The queue holds the last weeks' reports; older ones were accepted by a partner
            # and closed, but for a few still waiting for the partner's outcome.
            if received >= recent:
                status = rng.choice(["new", "triaged", "dispatched", "accepted"])
            elif received >= accepted_since:
                status = rng.choices(["closed", "accepted"], [70, 30])[0]
            else:
                status = rng.choices(["closed", "accepted"], [998, 2])[0]
            dispatched = received + timedelta(hours=rng.randrange(1, 48))
            flag_child = rng.random() < 0.4
            yield {
                "uuid": det_uuid("report", i),
                "created_at": received,
                "updated_at": received,
                "created_by_id": self.demo_users["hotline"].pk,
                "reference": f"R-{received.year}-{500000 + per_year[received.year]:06d}",
                "source": rng.choices(sources, source_weights)[0],
                "status": status,
                "received_at": received,
                "first_action_at": None
                if status == "new"
                else received + timedelta(minutes=rng.randrange(2, 240)),
                "caller_anonymous": rng.random() < 0.6,
                "narrative": rng.choice(self.REPORT_TEXTS),
                "province_id": province,
                "district_id": rng.choice(self.districts[province]),
                "establishment_type": rng.choice(
                    ["karaoke", "scam_compound", "fishing_boat", "factory", "private_home", "other"]
                ),
                "children_count": rng.randrange(0, 4) if flag_child else None,
                "sex_described": rng.choice(["f", "m", "mixed", "u"]),
                "flag_child": flag_child,
                "flag_sexual_exploitation": rng.random() < 0.3,
                "flag_held_now": rng.random() < 0.15,
                "suggested_urgency": urgency,
                "urgency": urgency,
                "assigned_to_id": self.police[province].pk
                if status in ("dispatched", "accepted", "closed")
                else None,
                "dispatched_at": dispatched
                if status in ("dispatched", "accepted", "closed")
                else None,
                "accepted_at": dispatched + timedelta(hours=2)
                if status in ("accepted", "closed")
                else None,
                "closed_at": dispatched + timedelta(days=rng.randrange(1, 60))
                if status == "closed"
                else None,
                "outcome": rng.choice(["operation", "case_opened", "referred", "no_action"])
                if status == "closed"
                else "",
            }

    def load_reports(self) -> tuple[int, int]:
        from ctip.intake.models import Report

        return self.load(Report, self.report_rows(), total=self.counts["reports"], label="reports")

    def load_investigations(self) -> tuple[int, int]:
        from ctip.justice.models import ExploitationForm, Investigation

        rng = self.rng
        forms = list(ExploitationForm.values)
        n = self.counts["proceedings"]

        def rows():
            for i in range(n):
                province = rng.choices(self.provinces, self.case_weights)[0]
                org = self.police[province]
                opened = day_between(rng, FIRST_DAY, LAST_DAY)
                status = rng.choices(["closed", "in_court", "charged", "open"], [45, 25, 10, 20])[0]
                at = at_time(rng, opened)
                yield {
                    "uuid": det_uuid("investigation", i),
                    "created_at": at,
                    "updated_at": at,
                    "organisation_id": org.pk,
                    "reference": f"{org.code.upper()}-INV-{opened.year}-B{i:06d}",
                    "title": rng.choice(self.REPORT_TEXTS)[:120],
                    "opened_on": opened,
                    "source": rng.choice(["report", "operation", "case", "complaint", "other"]),
                    "exploitation_form": rng.choice(forms),
                    "province_id": province,
                    "status": status,
                    "closed_on": opened + timedelta(days=rng.randrange(60, 900))
                    if status == "closed"
                    else None,
                }

        return self.load(Investigation, rows(), total=n, label="proceedings")

    def load_victims(self) -> tuple[int, int]:
        from ctip.justice.models import ExploitationForm, InvestigationVictim

        rng = self.rng
        forms = list(ExploitationForm.values)
        people = self.ids("people")
        investigations = self.ids("investigations")

        def rows():
            n = 0
            for inv in investigations:
                for person in rng.sample(
                    range(people.start, people.stop), min(len(people), rng.randint(1, 3))
                ):
                    yield {
                        "uuid": det_uuid("victim", n),
                        "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC),
                        "investigation_id": inv,
                        "person_id": person,
                        "exploitation_form": rng.choice(forms),
                        "age_at_exploitation": rng.randint(12, 30),
                    }
                    n += 1

        return self.load(
            InvestigationVictim,
            rows(),
            total=self.counts["proceedings"] * 2,
            label="victims in proceedings",
        )

    def load_court_cases(self) -> tuple[int, int]:
        from ctip.justice.models import CourtCase

        rng = self.rng

        with self.cursor() as c:
            c.execute(
                "SELECT id, opened_on, province_id FROM justice_investigation "
                "WHERE id >= %s AND status IN ('in_court', 'closed') ORDER BY id",
                [self.ids("investigations").start],
            )
            found = c.fetchall()

        def rows():
            n = 0
            for inv, opened, province in found:
                if rng.random() < 0.6:
                    filed = opened + timedelta(days=rng.randrange(30, 300))
                    at = at_time(rng, filed)
                    yield {
                        "uuid": det_uuid("court", n),
                        "created_at": at,
                        "updated_at": at,
                        "investigation_id": inv,
                        "court": f"Court of first instance, province {province}",
                        "case_number": f"B{n:07d}",
                        "filed_on": filed,
                    }
                    n += 1

        return self.load(
            CourtCase, rows(), total=int(self.counts["proceedings"] * 0.3), label="court cases"
        )

    # --- audit ------------------------------------------------------------------------------

    def audit_rows(self, head) -> Iterator[dict]:
        from ctip.audit.keys import current_key, mac
        from ctip.audit.services import canonical_payload

        key_id, secret = current_key()  # sealed as audit_record seals (HMAC under the audit key)
        rng = self.rng
        n = self.counts["audit"]
        seq = head.seq if head else 0
        prev = head.hash if head else "0" * 64
        people, cases = self.counts["people"], self.counts["cases"]
        kinds = [
            # (action, target type, how many of each)
            ("read", "people.person", 30),
            ("read", "cases.case", 25),
            ("update", "cases.case", 10),
            ("update", "people.person", 6),
            ("create", "cases.casenote", 8),
            ("login", "", 8),
            ("case_status_changed", "cases.case", 3),
            ("create", "people.person", 3),
            ("case_opened", "cases.case", 2),
            ("report_received", "intake.report", 2),
            ("report_triaged", "intake.report", 2),
            ("logout", "", 1),
        ]
        choices = [k[:2] for k in kinds]
        weights = [k[2] for k in kinds]
        picks = rng.choices(range(len(choices)), weights, k=n)
        span = (LAST_DAY - FIRST_DAY).days * 86400
        start = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC)
        step = span / n
        actors = self.actors
        for i in range(n):
            action, target_type = choices[picks[i]]
            actor_id, email, org_id = rng.choice(actors)
            if target_type == "people.person":
                target = str(det_uuid("person", rng.randrange(people)))
            elif target_type == "cases.case":
                target = str(det_uuid("case", rng.randrange(cases)))
            elif target_type:
                target = str(det_uuid(target_type, rng.randrange(cases)))
            else:
                target = ""
            if action == "update" and target_type == "cases.case":
                changes = {"status": ["active", "reintegration"]}
            elif action == "update":
                changes = {"phone": None, "home_village": [None, "12010101"]}
            elif action == "case_status_changed":
                changes = {"status": ["open", "active"]}
            else:
                changes = {}
            seq += 1
            created = start + timedelta(seconds=int(i * step), microseconds=rng.randrange(10**6))
            payload = canonical_payload(
                seq=seq,
                created_at=created,
                actor_id=actor_id,
                actor_label=email,
                organisation_id=org_id,
                action=action,
                target_type=target_type,
                target_id=target,
                changes=changes,
                reason="",
                prev_hash=prev,
                key_id=key_id,
            )
            digest = mac(secret, payload)
            yield {
                "seq": seq,
                "created_at": created,
                "actor_id": actor_id,
                "actor_label": email,
                "organisation_id": org_id,
                "action": action,
                "target_type": target_type,
                "target_id": target,
                "changes": changes,
                "reason": "",
                "prev_hash": prev,
                "hash": digest,
                "key_id": key_id,
            }
            prev = digest

    def load_audit(self) -> tuple[int, int]:
        from ctip.audit.models import AuditEvent

        # Appends share the chain lock with the service, so no event can slip in between.
        if self.postgres:
            with self.cursor() as c:
                c.execute("SELECT pg_advisory_xact_lock(%s)", [0x43544950])
        head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        return self.load(
            AuditEvent, self.audit_rows(head), total=self.counts["audit"], label="audit events"
        )

    # --- run --------------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.perf_counter()
        self.ensure_state()
        self.prepare()
        self.organisations()
        for name, fn in (
            ("people", self.load_people),
            ("cases", self.load_cases),
            ("case_destinations", self.load_destinations),
            ("trafficking_events", self.load_events),
            ("notes", self.load_notes),
            ("assessments", self.load_assessments),
            ("assessment_scores", self.load_scores),
            ("services", self.load_services),
            ("placements", self.load_placements),
            ("reports", self.load_reports),
            ("investigations", self.load_investigations),
            ("victims", self.load_victims),
            ("court_cases", self.load_court_cases),
            ("audit", self.load_audit),
        ):
            self.step(name, fn)
        if self.postgres:
            # VACUUM sets the visibility map, so that counts can use index-only scans, as
            # they would on a database that has been running for a while.
            self.out.write("VACUUM ANALYZE…\n")
            with self.cursor() as c:
                c.execute("VACUUM ANALYZE")
        return {
            "scale": self.scale,
            "targets": self.counts,
            "tables": self.timings,
            "seconds": round(time.perf_counter() - started, 1),
        }


def reset_database(url: str) -> None:
    """Drops and recreates the database named in DATABASE_URL, then migrates it."""
    import dj_database_url
    import psycopg
    from django.core.management import call_command

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    admin = psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of national scale")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    if not postgres and args.scale > 0.05:
        parser.error("national scale needs PostgreSQL: set DATABASE_URL (SQLite: --scale 0.01)")
    if args.reset:
        if not postgres:
            parser.error("--reset drops a PostgreSQL database; on SQLite delete the file instead")
        reset_database(url)
    generator = Generator(args.scale)
    figures = generator.run()
    figures["machine"] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "generate.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"Done in {figures['seconds']}s at scale {args.scale}. Now: manage.py audit_verify")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
