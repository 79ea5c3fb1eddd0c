"""Identifier and country normalisation as SQL, for the shapes where it is a pure text function.

The CSV lane (:mod:`vigil.columnar.csv_lane`) normalises each distinct identifier of a batch
once (:func:`update_idmap`): the common shapes here, in SQL; any other shape by the Python
normaliser, once per import
(libphonenumber for a phone written with spaces, say); a value both refuse sends its row to the
Python importer, which decides it exactly as today. Each expression is the
result :func:`vigil.identifiers.normalise` (or :func:`vigil.countries.check_country`) gives for
that shape of printable-ASCII cell without edge spaces (the lane checks that first):

- a payment account ``provider:id`` of a provider with no alias and no phone-number ids;
- an e-mail address (``lower``, the importer's ``local@domain.tld`` pattern);
- a phone number written ``+<digits>`` whose country calling code's national prefix is absent
  or a fixed run of digits (libphonenumber strips nothing, so E.164 is the text itself); its
  national number must start with 1-9 and have a length libphonenumber calls possible. The
  per-code facts are read from libphonenumber's own metadata when the module is imported;
- an ISO 3166-1 alpha-2 country code in any case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import duckdb
import pyarrow as pa
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber, is_possible_number
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import region_code_for_country_code

from vigil.countries import COUNTRY_CODES, check_country
from vigil.identifiers import MOBILE_WALLET_REGIONS, PROVIDER_ALIASES, normalise

_NSN_LENGTHS = range(2, 18)
"""libphonenumber refuses a national number shorter than 2 or longer than 17 digits."""


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in sorted(values)) + ")"


def account_sql(v: str) -> str:
    """``v`` normalised as a payment account, NULL when Python must decide: the provider's alias
    resolved, and the id lower-cased without spaces and dashes unless it is a mobile wallet's
    phone number (libphonenumber decides those)."""
    provider = f"lower(split_part({v}, ':', 1))"
    canonical = ("CASE " + " ".join(f"WHEN {provider} = '{alias}' THEN '{name}'"
                                    for alias, name in sorted(PROVIDER_ALIASES.items()))
                 + f" ELSE {provider} END")
    ident = f"substr({v}, strpos({v}, ':') + 1)"
    shaped = (rf"regexp_matches({v}, '^[A-Za-z0-9][A-Za-z0-9_.-]*: *[\x21-\x7e]"
              rf"([\x20-\x7e]*[\x21-\x7e])?$')")
    phone_like = (f"{canonical} IN {_in(set(MOBILE_WALLET_REGIONS))} AND "
                  rf"regexp_matches(ltrim({ident}, ' '), '^\+?[0-9 ()-]{{7,20}}$')")
    norm = f"{canonical} || ':' || lower(replace(replace({ident}, ' ', ''), '-', ''))"
    return f"CASE WHEN {shaped} AND NOT ({phone_like}) THEN {norm} END"


def email_sql(v: str) -> str:
    """``v`` normalised as an e-mail address (printable ASCII: only the space is ``\\s``)."""
    return f"CASE WHEN regexp_matches({v}, '^[^@ ]+@[^@ ]+\\.[^@ ]+$') THEN lower({v}) END"


def country_sql(v: str) -> str:
    return f"CASE WHEN upper({v}) IN {_in(COUNTRY_CODES)} THEN upper({v}) END"


@cache
def phone_rules() -> dict[str, tuple[tuple[str, ...], tuple[int, ...]]]:
    """Calling code -> (national prefixes that make libphonenumber strip, possible lengths) for
    every code whose national prefix for parsing is absent or literal digits (``a|b`` too)."""
    rules = {}
    for code in COUNTRY_CODE_TO_REGION_CODE:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            code, region_code_for_country_code(code))
        if metadata is None:
            continue
        prefix = metadata.national_prefix_for_parsing or ""
        if prefix and not re.fullmatch(r"[0-9]+(\|[0-9]+)*", prefix):
            continue
        lengths = tuple(n for n in _NSN_LENGTHS if is_possible_number(
            PhoneNumber(country_code=code, national_number=int("1" * n))))
        rules[str(code)] = (tuple(prefix.split("|")) if prefix else (), lengths)
    return rules


def _calling_code(digits: str) -> str:
    """The calling code libphonenumber reads: the first of 1, 2, 3 leading digits that is one."""
    known = {str(code) for code in COUNTRY_CODE_TO_REGION_CODE}
    branches = " ".join(
        f"WHEN left({digits}, {n}) IN {_in({c for c in known if len(c) == n})} "
        f"THEN left({digits}, {n})" for n in (1, 2, 3))
    return f"CASE {branches} END"


def phone_sql(v: str) -> str:
    """``v`` normalised as a phone number (E.164), NULL unless it is a fast ``+digits`` shape."""
    allowed, stripped = [], []
    for code, (prefixes, lengths) in sorted(phone_rules().items()):
        allowed += [f"{code}:{n}" for n in lengths]
        stripped += [(code, p) for p in prefixes]
    digits = f"substr({v}, 2)"
    code = _calling_code(digits)
    national = f"substr({digits}, strlen({code}) + 1)"
    checks = [f"regexp_matches({v}, '^\\+[1-9][0-9]{{2,19}}$')",
              f"{code} || ':' || strlen({national}) IN {_in(allowed)}",
              f"left({national}, 1) <> '0'"]
    for size in sorted({len(p) for p in stripped}):
        these = [f"{c}:{p}" for c, p in stripped if len(p) == size]
        checks.append(f"{code} || ':' || left({national}, {size}) NOT IN {_in(these)}")
    return f"CASE WHEN {' AND '.join(f'({c})' for c in checks)} THEN {v} END"


NORMALISERS_SQL = {"payment_account": account_sql, "phone": phone_sql, "email": email_sql,
                   "country": country_sql}
"""SQL normaliser of each identifier kind the Payment model maps."""




def _python_norm(kind: str, value: str) -> str | None:
    """What the model's field makes of ``value``, or None (the row then goes to Python)."""
    if not value.isascii() or value != value.strip():
        return None
    try:
        return check_country(value) if kind == "country" else normalise(kind, value)
    except ValueError:
        return None


def create_idmap(connection: duckdb.DuckDBPyConnection) -> None:
    """Table ``pymap`` (``kind``, ``raw``, ``norm``): the values SQL could not normalise and
    what the Python normalisers made of them (NULL: refused), kept across an import's batches
    so each such value reaches Python once."""
    connection.execute("CREATE TABLE pymap (kind VARCHAR, raw VARCHAR, norm VARCHAR)")


def update_idmap(connection: duckdb.DuckDBPyConnection, mapped: dict[str, str]) -> None:
    """Table ``idmap`` (``kind``, ``raw``, ``norm``): each distinct value of batch ``raw``
    (columns ``mapped``: field -> kind) and what the model makes of it, NULL when SQL and the
    Python normalisers both refuse it.

    Only the batch's own values are in it: a map kept across batches grew with every new account
    (most payments' accounts are new) and the lane's joins read all of it for every batch.
    SQL normalises a value again in each batch that holds it, which costs less than that."""
    union = " UNION ALL ".join(f"SELECT '{kind}' AS kind, {name} AS raw FROM raw "
                               f"WHERE {name} IS NOT NULL" for name, kind in mapped.items())
    branches = " ".join(f"WHEN '{kind}' THEN {sql('raw')}"
                        for kind, sql in NORMALISERS_SQL.items())
    connection.execute(f"CREATE OR REPLACE TEMP TABLE idmap AS SELECT kind, raw, "
                       f"CASE kind {branches} END AS norm "
                       f"FROM (SELECT DISTINCT kind, raw FROM ({union}))")
    left = connection.execute("SELECT kind, raw FROM (SELECT kind, raw FROM idmap WHERE norm IS "
                              "NULL) ANTI JOIN pymap USING (kind, raw)").fetchall()
    if left:
        table = pa.table({"kind": [k for k, _ in left], "raw": [r for _, r in left],
                          "norm": pa.array([_python_norm(k, r) for k, r in left], pa.string())})
        connection.register("python_norms", table)
        connection.execute("INSERT INTO pymap SELECT * FROM python_norms")
        connection.unregister("python_norms")
    if connection.execute("SELECT count(*) FROM pymap").fetchall()[0][0]:
        connection.execute("UPDATE idmap SET norm = p.norm FROM pymap p WHERE idmap.norm IS NULL "
                           "AND idmap.kind = p.kind AND idmap.raw = p.raw")


__all__ = ["NORMALISERS_SQL", "account_sql", "country_sql", "create_idmap", "email_sql",
           "phone_rules", "phone_sql", "update_idmap"]
