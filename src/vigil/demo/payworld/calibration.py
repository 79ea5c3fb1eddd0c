"""Published figures the payment world is calibrated to, each with its source.

Sources: AIC T&I 589 and 634, AUSTRAC's guide and case studies, AMLC 2020 and 2023 studies,
FATF 2025, FINTRAC 2020 and 2025 alerts (their public documents).
Values marked "vigil assumption" are not from any source; they shape the benign traffic.
"""

from __future__ import annotations

from vigil.demo.actors import Country

PHILIPPINES = Country("PH", "PHP", 0.0175, 8, ("gcash", "maya"))
OTHER_HIGH_RISK = (Country("TH", "THB", 0.028, 7, ("promptpay",)),
                   Country("KH", "USD", 1.0, 7, ("wing",)))
"""FINTRAC-2020-OA001 top receiving jurisdictions and AUSTRAC's South-East Asia."""
WEST_AFRICA = (Country("NG", "NGN", 0.00065, 1, ("opay",)),
               Country("CI", "XOF", 0.0016, 0, ("orange",)))
"""FINTRAC 2025 sextortion: payees abroad, often West Africa (unverified)."""
ELSEWHERE = (Country("IN", "INR", 0.012, 5, ("upi",)), Country("MX", "MXN", 0.058, -6, ("oxxo",)))
"""Remittance corridors that are not the OSEC one, for background traffic (vigil assumption)."""
CONSUMERS: tuple[Country, ...] = (
    Country("US", "USD", 1.0, -5, ("remitly", "paypal", "wise", "westernunion")),
    Country("US", "USD", 1.0, -8, ("remitly", "paypal", "worldremit")),
    Country("GB", "GBP", 1.27, 0, ("wise", "worldremit", "paypal")),
    Country("AU", "AUD", 0.66, 10, ("wise", "remitly", "worldremit", "bank")),
    Country("CA", "CAD", 0.73, -5, ("remitly", "wise", "bank")),
    Country("DE", "EUR", 1.08, 1, ("wise", "paypal", "bank")),
    Country("NZ", "NZD", 0.60, 12, ("wise", "remitly")),
)
"""AMLC 2023: the US sends half, then UK, Australia, Canada; FATF 2025 adds Europe and NZ."""
CONSUMER_WEIGHTS = (30, 20, 12, 14, 12, 7, 5)

BUYER_SHARE = 0.008
"""Buyers per sender (vigil assumption: rare, so a 1% alert budget can hold them all)."""
VICTIM_SHARE = 0.003
"""Sextortion victims per sender (vigil assumption)."""
BUYER_COUNT_PARETO = 0.8
"""Payments per buyer ~ floor(Pareto(alpha)) capped: about half make one payment (AIC T&I 589:
more than half made more than one) and the busiest few percent make about half of all buyer
payments (AIC T&I 589: 3 % made 50 %)."""
BUYER_MAX_PAYMENTS = 400
BUYER_START_USD = (12.0, 55.0)
"""AUSTRAC case study A$10-100; AIC T&I 634: prolific buyers under AUD 55 (about US$36)."""
BUYER_ESCALATION = (1.3, 3.0)
"""AIC T&I 589: median amount rises and gaps shrink with activity (ratio not published)."""
BUYER_START_GAP_DAYS = (8.0, 30.0)
"""AUSTRAC: "small amounts once every few weeks", then higher and more frequent; AIC T&I 634:
the prolific pay at intervals of less than 20 days."""
BUYER_FACILITATORS = (1, 4)
"""AMLC: several non-family counterparties; Westpac: multiple beneficiaries."""
BUYER_NIGHT_SHARE = 0.6
"""FATF 2025: late night or early morning in the sender's time zone (share: vigil assumption)."""
NIGHT_HOURS = (22.0, 29.0)
DAY_HOURS = (8.0, 21.5)
BUYERS_PER_FACILITATOR = 3
"""AUSTRAC case study: a common beneficiary paid by multiple customers."""
COVER_WORDS = ("gift", "school fees", "medical bills", "family support", "allowance",
               "accommodation", "uniform", "birthday", "treat", "expenses")
"""AUSTRAC, ACAMS and FATF cover words; families use the same words (the hard part)."""
FAMILY_WORDS = ("", "", "family support", "school fees", "allowance", "for mama", "birthday",
                "medical bills", "groceries", "gift", "padala", "tuition")
PHP_ROUND = (1000, 1500, 2000, 2500, 3000, 5000, 7000, 10000)
"""AMLC: 81 % of OSAEC STR transactions were PHP 1,000-10,000; families send the same."""

SEXTORTION_FIRST_USD = (40.0, 250.0)
SEXTORTION_TOTAL_USD = 1500.0
"""FATF 2025, FINTRAC 2025: several rapid payments starting under EUR 250, total at most
EUR 1,500, then an abrupt stop (R16)."""

FAMILY_GAP_DAYS = ((28.0, 32.0), (28.0, 32.0), (28.0, 32.0), (14.0, 16.0), (6.5, 7.5))
"""Monthly, semi-monthly and weekly allowances (vigil assumption: payroll rhythms)."""
FAMILY_USD = (40.0, 450.0)
CHARITY_DONATIONS_USD = (10.0, 25.0, 20.0, 50.0, 30.0, 100.0)
ASSISTANT_WEEKLY_USD = (45.0, 250.0)
"""Remote assistants in the Philippines paid weekly or fortnightly (vigil assumption)."""
