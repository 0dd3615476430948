"""The probabilistic record-linkage model of people (Splink, Fellegi–Sunter), on DuckDB.

One model serves every use: `match_csv` on any file, the batch command over CTIP's people, the
benchmark, and the scoring of a new person against their blocking candidates.

Records enter as dicts with the columns of `match_csv` (`record_id`, `given_name`,
`family_name`, `full_name`, `date_of_birth`, `age`, `sex`, `address`, `locality`, `postcode`,
`region`, `phone`, `id_number`) and optionally `name_km`, `aliases` and `email`; missing columns
are allowed. `prepare` normalises them (ctip/matching/normalise.py); the comparisons used are
those whose columns hold data, so a file with names and birth dates only gets a model of names
and birth dates.

Parameters are estimated from the data, never set by hand: the probability that two random
records match from deterministic rules, u-probabilities by random sampling, m-probabilities by
expectation maximisation, in two sessions (blocked on birth date to learn the names, blocked on
names to learn everything else).

Running the same model on Spark, for national scale
----------------------------------------------------
The SQL conditions below use functions that Splink provides on both backends
(`jaro_winkler_similarity` and `levenshtein`, `instr`, `substr`, `length`, `abs`), so the settings
are backend-neutral and a model trained here runs unchanged on a Spark cluster (Splink 5)::

    import pyarrow.parquet as pq
    pq.write_table(prepare_arrow(rows), "people.parquet")   # the prepared columns

    from pyspark.sql import SparkSession
    from splink import Linker
    from splink.backends.spark import SparkAPI, similarity_jar_location
    spark = (SparkSession.builder
             .config("spark.jars", similarity_jar_location())   # jaro_winkler UDFs
             .getOrCreate())
    db_api = SparkAPI(spark_session=spark)
    records = db_api.register(spark.read.parquet("people.parquet"))
    model = PeopleModel.from_json(open("model.json").read())   # trained on DuckDB
    linker = Linker(records, model.settings)
    pairs = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.9)

A model estimated on a large sample with DuckDB (a million records take minutes on two cores:
bench/linkage.py) serves for prediction over the whole population on Spark. To estimate on the
cluster instead, `train` passes `db_api` through to Splink; it reads the pyarrow table only to
see which columns hold data and how many rows there are. Blocking rules switch to their
narrower national-scale form above 200,000 records (`blocking_rules_for`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import normalise as n

logger = logging.getLogger(__name__)

INPUT_COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "full_name",
    "date_of_birth",
    "age",
    "sex",
    "address",
    "locality",
    "postcode",
    "region",
    "phone",
    "id_number",
    # Beyond the documented columns: CTIP's people have them, and CSVs may.
    "name_km",
    "aliases",
    "email",
)

# The prepared columns the model compares.
PREPARED = (
    "unique_id",
    "given",
    "given_key",
    "family",
    "family_key",
    "name_km",
    "name_km_sk",
    "aliases",
    "dob",
    "birth_year",
    "sex",
    "region",
    "locality",
    "postcode",
    "address",
    "phone",
    "id_number",
    "email",
)


def _aliases_field(text: str) -> str | None:
    """Alias keys as "|k1|k2|": searched with instr(), which DuckDB and Spark both have."""
    keys = sorted({n.token_key(t) for t in n.name_tokens(text.replace(",", " "))} - {""})
    return "|" + "|".join(keys) + "|" if keys else None


def prepare_record(row: dict[str, Any], *, reference_year: int) -> dict[str, Any]:
    """One input row as the model's columns: normalised, empty values as None."""
    given_raw, family_raw = row.get("given_name") or "", row.get("family_name") or ""
    if not (given_raw or family_raw) and row.get("full_name"):
        given_raw, family_raw = n.split_full_name(row["full_name"])
    given = " ".join(n.canonical_token(t) for t in n.name_tokens(given_raw))
    family = " ".join(n.canonical_token(t) for t in n.name_tokens(family_raw))
    given_key = " ".join(n.token_key(t) for t in given.split()) if given else ""
    family_key = " ".join(n.token_key(t) for t in family.split()) if family else ""
    dob = n.parse_date(row.get("date_of_birth"))
    age = n.parse_int(row.get("age"))
    birth_year = dob.year if dob else (reference_year - age if age is not None else None)
    email = (row.get("email") or "").strip().lower()
    return {
        "unique_id": str(row["record_id"]),
        "given": given or None,
        "given_key": given_key or None,
        "family": family or None,
        "family_key": family_key or None,
        "name_km": n.khmer_key(row.get("name_km")) or None,
        "name_km_sk": n.khmer_skeleton(row.get("name_km")) or None,
        "aliases": _aliases_field(row.get("aliases") or ""),
        "dob": dob.isoformat() if dob else None,
        "birth_year": birth_year,
        "sex": n.sex_key(row.get("sex")) or None,
        "region": n.fold_place(row.get("region")) or None,
        "locality": n.fold_place(row.get("locality")) or None,
        "postcode": (str(row.get("postcode") or "").strip() or None),
        "address": n.fold_place(row.get("address")) or None,
        "phone": n.phone_key(row.get("phone")) or None,
        "id_number": n.document_key(row.get("id_number")) or None,
        "email": email or None,
    }


def prepare_arrow(rows: Iterable[dict[str, Any]], *, reference_year: int | None = None):
    """The prepared records as a pyarrow table (columns of PREPARED)."""
    import pyarrow as pa

    year = reference_year or date.today().year  # noqa: DTZ011 (a year, any timezone)
    columns: dict[str, list] = {name: [] for name in PREPARED}
    for row in rows:
        record = prepare_record(row, reference_year=year)
        for name in PREPARED:
            columns[name].append(record[name])
    schema = pa.schema(
        [(name, pa.int32() if name == "birth_year" else pa.string()) for name in PREPARED]
    )
    return pa.table(columns, schema=schema)


# --- the comparisons -------------------------------------------------------------------------


def _null(cols: Sequence[str]) -> dict:
    if len(cols) == 1:
        cond = f"{cols[0]}_l IS NULL OR {cols[0]}_r IS NULL"
    else:
        cond = " OR ".join(
            "(" + " AND ".join(f"{c}_{side} IS NULL" for c in cols) + ")" for side in "lr"
        )
    return {"sql_condition": cond, "label_for_charts": "missing", "is_null_level": True}


def _level(sql: str, label: str) -> dict:
    return {"sql_condition": sql, "label_for_charts": label}


_ELSE = {"sql_condition": "ELSE", "label_for_charts": "disagree"}


def _name_comparison(col: str, other: str, *, aliases: bool) -> dict:
    key, other_key = f"{col}_key", f"{other}_key"
    alias_level = _level(
        f"instr(aliases_l, '|' || {key}_r || '|') > 0 OR "
        f"instr(aliases_r, '|' || {key}_l || '|') > 0",
        "matches an alias",
    )
    return {
        "output_column_name": col,
        "comparison_description": f"{col} name",
        "comparison_levels": [
            _null([col]),
            _level(f"{col}_l = {col}_r", "exact"),
            _level(f"{key}_l = {key}_r", "same name, another spelling"),
            _level(
                f"({col}_l = {other}_r AND {col}_r = {other}_l) OR "
                f"({key}_l = {other_key}_r AND {key}_r = {other_key}_l)",
                "names swapped",
            ),
            _level(f"jaro_winkler_similarity({col}_l, {col}_r) >= 0.92", "very similar"),
            *([alias_level] if aliases else []),
            _level(f"jaro_winkler_similarity({col}_l, {col}_r) >= 0.8", "similar"),
            _ELSE,
        ],
    }


def _simple(col: str, levels: list[dict], description: str) -> dict:
    return {
        "output_column_name": col,
        "comparison_description": description,
        "comparison_levels": [_null([col]), *levels, _ELSE],
    }


def comparisons_for(present: set[str]) -> list[dict]:
    """The comparisons that the columns holding data allow."""
    comps: list[dict] = []
    if "given" in present:
        comps.append(_name_comparison("given", "family", aliases="aliases" in present))
    if "family" in present:
        comps.append(_name_comparison("family", "given", aliases="aliases" in present))
    if "name_km" in present:
        comps.append(
            _simple(
                "name_km",
                [
                    _level("name_km_l = name_km_r", "exact"),
                    _level("name_km_sk_l = name_km_sk_r", "same letters, other vowel signs"),
                    _level("levenshtein(name_km_sk_l, name_km_sk_r) <= 1", "one letter differs"),
                ],
                "name in Khmer script",
            )
        )
    if "birth_year" in present:
        comps.append(
            {
                "output_column_name": "birth",
                "comparison_description": "date of birth or estimated age",
                "comparison_levels": [
                    _null(["birth_year"]),
                    _level("dob_l = dob_r", "same date of birth"),
                    _level("levenshtein(dob_l, dob_r) <= 1", "one digit differs"),
                    _level(
                        "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND "
                        "substr(dob_l, 6, 2) = substr(dob_r, 9, 2) AND "
                        "substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                        "day and month swapped",
                    ),
                    _level("abs(birth_year_l - birth_year_r) <= 1", "born within a year"),
                    _level("abs(birth_year_l - birth_year_r) <= 3", "born within three years"),
                    _ELSE,
                ],
            }
        )
    if "sex" in present:
        comps.append(_simple("sex", [_level("sex_l = sex_r", "same")], "sex"))
    place_cols = [c for c in ("postcode", "locality", "region") if c in present]
    if place_cols:
        levels = [_level(f"{c}_l = {c}_r", f"same {c}") for c in place_cols]
        comps.append(
            {
                "output_column_name": "place",
                "comparison_description": "village / locality / province",
                "comparison_levels": [_null(place_cols), *levels, _ELSE],
            }
        )
    if "address" in present:
        comps.append(
            _simple(
                "address",
                [
                    _level("address_l = address_r", "exact"),
                    _level("jaro_winkler_similarity(address_l, address_r) >= 0.88", "similar"),
                ],
                "address",
            )
        )
    if "phone" in present:
        comps.append(
            _simple(
                "phone",
                [
                    _level("phone_l = phone_r", "same number"),
                    _level(
                        "length(phone_l) >= 6 AND substr(phone_l, length(phone_l) - 5, 6) = "
                        "substr(phone_r, length(phone_r) - 5, 6)",
                        "same last six digits",
                    ),
                ],
                "phone",
            )
        )
    if "id_number" in present:
        comps.append(
            _simple(
                "id_number",
                [
                    _level("id_number_l = id_number_r", "same number"),
                    _level("levenshtein(id_number_l, id_number_r) <= 1", "one sign differs"),
                ],
                "identity document",
            )
        )
    if "email" in present:
        comps.append(_simple("email", [_level("email_l = email_r", "same")], "email"))
    return comps


def blocking_rules_for(present: set[str], *, large: bool) -> list[str]:
    """Which pairs are compared at all. At national scale the broad rules get one more
    condition each, or common Khmer names would make blocks of thousands."""
    names = {"given", "family"} <= present
    year = " AND l.birth_year = r.birth_year" if large and "birth_year" in present else ""
    rules = []
    if names:
        rules.append(f"l.given_key = r.given_key AND l.family_key = r.family_key{year}")
        rules.append(f"l.given_key = r.family_key AND l.family_key = r.given_key{year}")
    if "birth_year" in present:
        if large and names:
            rules.append(
                "l.dob = r.dob AND substr(l.family_key, 1, 1) = substr(r.family_key, 1, 1)"
            )
        else:
            rules.append("l.dob = r.dob")
        if names:
            rules.append(
                "l.birth_year = r.birth_year AND l.family_key = r.family_key"
                + (" AND substr(l.given, 1, 1) = substr(r.given, 1, 1)" if large else "")
            )
    for col in ("phone", "id_number", "email", "name_km"):
        if col in present:
            rules.append(f"l.{col} = r.{col}")
    if "postcode" in present and names:
        rules.append("l.postcode = r.postcode AND substr(l.given, 1, 2) = substr(r.given, 1, 2)")
    if not rules:
        rules.append("l.given = r.given")
    return rules


# --- training and prediction -----------------------------------------------------------------


@dataclass
class PeopleModel:
    """A trained model: Splink's settings with the estimated parameters."""

    settings: dict

    def to_json(self) -> str:
        return json.dumps(self.settings)

    @classmethod
    def from_json(cls, text: str) -> PeopleModel:
        return cls(json.loads(text))

    @property
    def comparison_names(self) -> list[str]:
        return [c["output_column_name"] for c in self.settings["comparisons"]]

    def level_labels(self) -> dict[str, dict[int, str]]:
        """{comparison: {gamma value: label}}: turns a pair's gamma columns into evidence."""
        labels: dict[str, dict[int, str]] = {}
        for comp in self.settings["comparisons"]:
            levels = comp["comparison_levels"]
            non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
            mapping = {-1: "missing"}
            for i, lvl in enumerate(non_null):
                mapping[len(non_null) - 1 - i] = lvl.get("label_for_charts", "")
            labels[comp["output_column_name"]] = mapping
        return labels


def present_columns(table) -> set[str]:
    """Prepared columns holding data in at least 1% of records (and at least two)."""
    present = set()
    rows = max(table.num_rows, 1)
    for name in PREPARED:
        if name == "unique_id":
            continue
        filled = rows - table.column(name).null_count
        if filled >= 2 and filled / rows >= 0.01:
            present.add(name)
    if "given" in present:
        present.add("given_key")
    return present


def _db_api(connection=None):
    from splink import DuckDBAPI

    return DuckDBAPI(connection or ":memory:")


def train(table, *, seed: int = 42, u_pairs: float = 2e6, db_api=None) -> PeopleModel:
    """Estimates a model's parameters from the data itself (see the module docstring)."""
    from splink import Linker, block_on

    present = present_columns(table)
    large = table.num_rows > 200_000
    settings = {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons_for(present),
        "blocking_rules_to_generate_predictions": blocking_rules_for(present, large=large),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }
    db_api = db_api or _db_api()
    linker = Linker(db_api.register(table), settings, log_level=logging.ERROR)
    names = {"given", "family"} <= present
    deterministic = []
    if names and "birth_year" in present:
        deterministic.append("l.given = r.given AND l.family = r.family AND l.dob = r.dob")
    for col in ("id_number", "phone", "email"):
        if col in present and names:
            deterministic.append(f"l.{col} = r.{col} AND l.family_key = r.family_key")
    # Not the Khmer name: with few names in use, a full name is shared by many people.
    if not deterministic:
        deterministic.append(blocking_rules_for(present, large=large)[0])
    try:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    except ValueError:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=1.0)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    em_pairs = 2e6 if large else None
    sessions = []
    if "dob" in present:
        sessions.append(block_on("dob"))
    elif "birth_year" in present and "sex" in present:
        sessions.append(block_on("birth_year", "sex"))
    if names:
        # Blocking on names alone lets EM settle on "same common name" instead of "same
        # person" when names are few (Khmer names are): the narrowest place there is (the
        # village) keeps the pairs mostly real matches, even among a million people.
        place = next((c for c in ("postcode", "locality", "region") if c in present), None)
        if place:
            sessions.append(block_on("given_key", "family_key", place))
        else:
            sessions.append(block_on("given_key", "family_key"))
    for rule in sessions:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=em_pairs
            )
        except Exception as exc:  # noqa: BLE001 (too few pairs to learn from: keep what we have)
            logger.warning("EM session %s skipped: %s", rule, exc)
    trained = linker.misc.save_model_to_json()
    return PeopleModel(smooth(trained))


# Every level keeps at least this share of the matches' probability mass.
M_FLOOR = 0.002


def smooth(settings: dict) -> dict:
    """Additive smoothing of the estimated m-probabilities: a level that the training data
    never showed among matches (no Khmer name ever misspelt, say) must lower a pair's score,
    not veto it; Splink leaves such levels unestimated or at zero."""
    for comp in settings["comparisons"]:
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        ms = [lvl.get("m_probability") or 0.0 for lvl in levels]
        total = sum(ms) + M_FLOOR * len(ms)
        for lvl, m in zip(levels, ms, strict=True):
            lvl["m_probability"] = (m + M_FLOOR) / total
            if not lvl.get("u_probability"):
                lvl["u_probability"] = M_FLOOR / 10
    return settings


def predict(model: PeopleModel, table, *, threshold: float = 0.5, db_api=None) -> tuple[Any, Any]:
    """Scores the blocked pairs of `table`: (linker, pairs SplinkDataFrame)."""
    from splink import Linker

    db_api = db_api or _db_api()
    linker = Linker(db_api.register(table), model.settings, log_level=logging.ERROR)
    pairs = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    return linker, pairs


def clusters(linker, pairs, *, threshold: float):
    """Connected components of the pairs at or above `threshold`: (unique_id, cluster_id)."""
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=threshold
    )


def score_against(model: PeopleModel, record: dict, candidates: list[dict]) -> list[dict]:
    """Scores one prepared record against a few prepared candidates (no blocking: the caller
    already chose them). Returns one dict per candidate with match_probability and gammas."""
    if not candidates:
        return []
    import pyarrow as pa
    from splink import Linker

    schema = pa.schema(
        [(name, pa.int32() if name == "birth_year" else pa.string()) for name in PREPARED]
    )
    rows = [record, *candidates]
    table = pa.table({name: [r[name] for r in rows] for name in PREPARED}, schema=schema)
    db_api = _db_api()
    scoring = dict(model.settings, retain_intermediate_calculation_columns=True)
    linker = Linker(db_api.register(table), scoring, log_level=logging.ERROR)
    left = pa.table({name: [record[name]] for name in PREPARED}, schema=schema)
    right = pa.table({name: [c[name] for c in candidates] for name in PREPARED}, schema=schema)
    scored = linker.inference.score_pairs(db_api.register(left), db_api.register(right))
    return scored.as_record_list()
