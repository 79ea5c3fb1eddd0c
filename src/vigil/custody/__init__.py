"""The custody log: vigil's audit trail as an append-only, tamper-evident Merkle log.

Every audit event a store appends is sealed into a :class:`~vigil.custody.entry.CustodyEntry`
(hash-chained, RFC 6962 leaf hash); :mod:`~vigil.custody.heads` signs tree heads for outside
witnesses; :mod:`~vigil.custody.verify` checks a log and names its first problem;
:mod:`~vigil.custody.merkle` has the tree, inclusion and consistency proofs. These modules are
pure: the stores call them, and :mod:`~vigil.custody.log` ties them to a store.
"""
