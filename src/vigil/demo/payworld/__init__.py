"""A payment world for measuring the OSEC typology pack: buyers among honest remittances.

Calibrated to AIC, AMLC, AUSTRAC and FATF figures (:mod:`.calibration`), with the hard negatives
(families with cover words, extended families, in-laws, charity donors, employers of remote
assistants) and sextortion victims; deterministic by seed. Ground truth is written apart from the
payments and only benchmarks and tests read it.
"""

from vigil.demo.payworld.world import PayWorld, generate_payworld, read_truth, write_payworld

__all__ = ["PayWorld", "generate_payworld", "read_truth", "write_payworld"]
