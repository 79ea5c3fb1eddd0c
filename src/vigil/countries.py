"""ISO 3166-1 alpha-2 country codes, so a payment's country is a real one and not any two letters.

Source: ISO 3166-1 as published by the ISO 3166 Maintenance Agency: the 249 officially assigned
alpha-2 codes, copied from the ``iso3166`` package 3.0.0 (PyPI, 2026-09), which lists them with
``XK``. ``XK`` (Kosovo) is user-assigned, not an ISO code, but the European Commission and the
Unicode CLDR use it, and payment files carry it, so it is accepted too. Codes withdrawn from
ISO 3166-1 (``AN``, ``YU``, ``CS``, ...) and exceptionally reserved ones (``UK``, ``EU``) are
refused: a record that says ``UK`` should say ``GB``, and a clear error is better than a corridor
rule that silently never matches.
"""

from __future__ import annotations

_ISO_3166_1_ALPHA_2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""

USER_ASSIGNED = frozenset({"XK"})
"""User-assigned codes vigil accepts besides ISO's own (``XK``: Kosovo)."""

COUNTRY_CODES: frozenset[str] = frozenset(_ISO_3166_1_ALPHA_2.split()) | USER_ASSIGNED
"""Every code a record may carry, upper-case."""


def check_country(code: str) -> str:
    """``code`` upper-cased when it is an ISO 3166-1 alpha-2 code; ``ValueError`` otherwise."""
    upper = code.strip().upper()
    if upper not in COUNTRY_CODES:
        hint = " (the United Kingdom is GB)" if upper == "UK" else ""
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}")
    return upper
