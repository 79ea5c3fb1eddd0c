"""Identifier and country normalisation as SQL, for the shapes where it is a pure text function.

The CSV lane (:mod:`vigil.columnar.csv_lane`) normalises each identifier inline in its query
(:func:`norm_sql`): the common shapes here, in SQL; any other shape by the Python normaliser,
called from DuckDB once per distinct value (libphonenumber for a phone written with spaces,
say); a value both refuse sends its row to the Python importer, which decides it exactly as
today. Each expression is the
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
import duckdb.func
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
    # Already normal (lower case, no space or dash, a provider with no alias, an id that is not
    # a mobile wallet's phone number: a wallet id of letters, digits, "_" and "." is one only
    # when it is 7-20 digits, the phone-like pattern above): the value itself, instead of the
    # above. Two regular expressions, no split_part: 0.41 to 0.14 CPU-s for a million
    # accounts, one in five gcash (0.16 to 0.14 with none; measured 2026-11-30, load 5).
    aliases = "|".join(re.escape(name) for name in sorted(PROVIDER_ALIASES))
    wallets = "|".join(re.escape(name) for name in sorted(MOBILE_WALLET_REGIONS))
    normal = (f"regexp_matches({v}, '^[a-z0-9][a-z0-9_.-]*:[a-z0-9_.]+$') AND NOT "
              f"regexp_matches({v}, '^({aliases}):|^({wallets}):[0-9]{{7,20}}$')")
    return f"CASE WHEN {normal} THEN {v} WHEN {shaped} AND NOT ({phone_like}) THEN {norm} END"


def email_sql(v: str) -> str:
    """``v`` normalised as an e-mail address (printable ASCII: only the space is ``\\s``)."""
    return f"CASE WHEN regexp_matches({v}, '^[^@ ]+@[^@ ]+\\.[^@ ]+$') THEN lower({v}) END"


def country_sql(v: str) -> str:
    return (f"CASE WHEN regexp_matches(upper({v}), '{_one_of(sorted(COUNTRY_CODES))}') "
            f"THEN upper({v}) END")


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


def _one_of(values: Iterable[str], whole: bool = True) -> str:
    """A regular expression matching one of ``values`` (digits, letters, ``:``), tried in the
    order given: RE2 decides it in one pass, where ``IN`` with hundreds of strings costs about
    a microsecond per row. ``whole``: the whole text, else a prefix of it."""
    return "^(" + "|".join(values) + (")$" if whole else ")")


def _calling_code(v: str) -> str:
    """The calling code libphonenumber reads from ``+<digits>``: the first of 1, 2, 3 leading
    digits that is one (alternatives shortest first: RE2 takes the first that matches)."""
    known = sorted((str(code) for code in COUNTRY_CODE_TO_REGION_CODE), key=lambda c: (len(c), c))
    return f"regexp_extract({v}, '^\\+({'|'.join(known)})', 1)"


def phone_sql(v: str) -> str:
    """``v`` normalised as a phone number (E.164), NULL unless it is a fast ``+digits`` shape."""
    allowed, stripped = [], []
    for code, (prefixes, lengths) in sorted(phone_rules().items()):
        allowed += [f"{code}:{n}" for n in lengths]
        stripped += [f"{code}:{p}" for p in prefixes]
    code = _calling_code(v)
    national = f"substr({v}, strlen({code}) + 2)"
    checks = [f"regexp_matches({v}, '^\\+[1-9][0-9]{{2,19}}$')",
              f"regexp_matches({code} || ':' || strlen({national}), '{_one_of(allowed)}')",
              f"left({national}, 1) <> '0'",
              # No national prefix libphonenumber would strip.
              f"NOT regexp_matches({code} || ':' || {national}, '{_one_of(stripped, False)}')"]
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


PYTHON_NORM = "vigil_python_norm"
"""The DuckDB function the lane's SQL falls back on for a value SQL does not normalise."""
PYTHON_NORM_CACHE = 1_000_000
"""Values the Python normalisers' answers are kept for (then forgotten, and asked again)."""


def register_python_norm(connection: duckdb.DuckDBPyConnection) -> None:
    """Function :data:`PYTHON_NORM` ``(kind, value)`` on ``connection``: what the Python
    normaliser of ``kind`` makes of ``value`` (NULL: refused), each distinct value asked once
    (up to :data:`PYTHON_NORM_CACHE` values)."""
    answers: dict[tuple[str, str], str | None] = {}

    def python_norm(kind: str, value: str | None) -> str | None:
        if value is None:
            return None
        key = (kind, value)
        if key not in answers:
            if len(answers) >= PYTHON_NORM_CACHE:
                answers.clear()
            answers[key] = _python_norm(kind, value)
        return answers[key]

    # "special": the function may answer NULL (a refused value).
    connection.create_function(PYTHON_NORM, python_norm, ["VARCHAR", "VARCHAR"], "VARCHAR",
                               null_handling=duckdb.func.SPECIAL, side_effects=False)


def norm_sql(kind: str, v: str) -> str:
    """``v`` normalised as identifier kind ``kind`` (NULL when both SQL and the Python
    normaliser refuse it, or ``v`` is NULL): SQL's answer where it has one, the Python
    normaliser's otherwise (DuckDB's ``coalesce`` calls it only for those rows)."""
    # The guard: DuckDB evaluates a CASE branch only for its rows, and most KYC cells are empty.
    return (f"CASE WHEN {v} IS NOT NULL THEN "
            f"coalesce({NORMALISERS_SQL[kind](v)}, {PYTHON_NORM}('{kind}', {v})) END")


__all__ = ["NORMALISERS_SQL", "PYTHON_NORM", "account_sql", "country_sql", "email_sql",
           "norm_sql", "phone_rules", "phone_sql", "register_python_norm"]
