"""US-dollar value of a payment in another currency, for the typology's USD thresholds.

The typology rules compare ``amount_usd`` with limits taken from the published studies, so every
payment needs one. ISO 20022 and MT103 messages carry the amount in the transfer currency only;
the importers convert it with the fixed table below. The rates are **illustrative, approximate
mid-2025 levels, not market data**: an institution should convert with its own booking rates and
import through the canonical CSV, which carries ``amount_usd`` as given. A currency missing from
the table is quarantined ("unknown currency") rather than guessed.

Currency codes are ISO 4217 alphabetic codes (ISO 4217, "Codes for the representation of
currencies", maintained by SIX Financial Information as maintenance agency).
"""

from __future__ import annotations

USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0, "EUR": 1.10, "GBP": 1.27, "CHF": 1.13, "AUD": 0.66, "NZD": 0.60, "CAD": 0.73,
    "SEK": 0.095, "NOK": 0.094, "DKK": 0.147, "JPY": 0.0067, "SGD": 0.74, "HKD": 0.128,
    "PHP": 0.0175, "THB": 0.028, "IDR": 0.000062, "MYR": 0.22, "VND": 0.000039, "INR": 0.012,
    "AED": 0.272, "SAR": 0.267, "QAR": 0.275, "KWD": 3.26, "CNY": 0.138, "KRW": 0.00073,
    "MXN": 0.055, "BRL": 0.18, "ZAR": 0.054, "NGN": 0.00065, "KES": 0.0077, "PLN": 0.25,
    "CZK": 0.043, "HUF": 0.0027, "RON": 0.22, "TRY": 0.026,
}
"""US dollars per unit of each currency (illustrative fixed rates; see the module docstring)."""


def amount_in_usd(amount: float, currency: str) -> float | str:
    """``amount`` of ``currency`` in US dollars (to the cent, at least one cent), or why not."""
    rate = USD_PER_UNIT.get(currency.upper())
    if rate is None:
        return (f"unknown currency {currency[:8]!r}: no US-dollar rate "
                f"(known: {', '.join(sorted(USD_PER_UNIT))})")
    return max(round(amount * rate, 2), 0.01)
