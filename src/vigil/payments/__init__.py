"""Payment typologies for live-streamed abuse: rule pack, SQL per rule, and the detector.

The split follows splink: :mod:`vigil.payments.sql` decides *what* each rule computes as pure
functions returning SQL, :mod:`vigil.engines` decides *where* it runs, and
:mod:`vigil.payments.detector` turns result rows into explained signals.
"""

from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.rules import PaymentRules, load_rules

__all__ = ["PaymentRules", "PaymentTypologyDetector", "load_rules"]
