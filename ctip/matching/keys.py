"""A person as the matcher sees them, and their keyed blocking hashes (see models.py for why).

Blocking keys of a person, each a normalised value with a prefix naming its kind:
- `n:` the name keys of given and family name, sorted (so the name order does not matter);
  and the same with each alias in place of the given name;
- `fy:` family-name key with the birth year (catches a misspelt given name);
- `km:` the name in Khmer script; `ph:` the phone; `id:` an identity-document number.

Only HMAC digests of these keys leave this module.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from . import normalise as n
from .engine import prepare_record

_PURPOSE = b"ctip.matching.blocking-keys.v1"


@lru_cache(maxsize=4)
def _hmac_key(secret: str) -> bytes:
    # A key for this one purpose, derived from SECRET_KEY: a digest leaked elsewhere
    # (e.g. a session signature) never helps to reverse these, and vice versa.
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def digest(key: str) -> str:
    """HMAC-SHA256 of one normalised blocking key, under the key derived from SECRET_KEY."""
    return hmac.new(_hmac_key(settings.SECRET_KEY), key.encode(), hashlib.sha256).hexdigest()


def person_row(person, documents: list | None = None) -> dict:
    """A CTIP person as a row of `match_csv` columns."""
    village = person.home_village
    documents = documents if documents is not None else list(person.documents.all())
    numbers = [d.number for d in documents if d.number]
    return {
        "record_id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_km": person.name_km,
        "date_of_birth": person.date_of_birth,
        "age": person.estimated_age,
        "sex": {"f": "f", "m": "m"}.get(person.sex, ""),
        "postcode": village.code if village else "",
        "locality": village.code[:4] if village else "",
        "region": village.code[:2] if village else "",
        "phone": person.phone,
        "id_number": numbers[0] if numbers else "",
        "aliases": person.aliases,
    }


def prepared(person, documents: list | None = None) -> dict:
    return prepare_record(person_row(person, documents), reference_year=timezone.localdate().year)


def blocking_keys(record: dict, aliases: str = "") -> set[str]:
    """The plain blocking keys of one prepared record (never stored as such)."""
    keys: set[str] = set()
    given, family = record["given_key"], record["family_key"]
    if given and family:
        keys.add("n:" + "|".join(sorted([given, family])))
        for alias in n.name_tokens(aliases.replace(",", " ")):
            keys.add("n:" + "|".join(sorted([n.token_key(alias), family])))
    if family and record["birth_year"]:
        keys.add(f"fy:{family}|{record['birth_year']}")
    if record["name_km"]:
        keys.add("km:" + record["name_km"])
    if record["phone"] and len(record["phone"]) >= 8:
        keys.add("ph:" + record["phone"])
    if record["id_number"]:
        keys.add("id:" + record["id_number"])
    return keys


def person_digests(person, documents: list | None = None) -> set[str]:
    record = prepared(person, documents)
    return {digest(k) for k in blocking_keys(record, person.aliases)}
