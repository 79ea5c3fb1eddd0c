"""Incremental runs: what arrived since the last checkpoint, and only the history it needs.

- :mod:`vigil.incremental.arrivals`: marks of what is stored, and what arrived since a mark;
- :mod:`vigil.incremental.partitions`: which records each detector's findings depend on;
- :mod:`vigil.incremental.detect`: one run's detection, in full or incremental, and the change
  it makes to the current signals (:mod:`vigil.checkpoints`);
- :mod:`vigil.incremental.usage`: who uses which identifier, for hub suppression, read where
  the records lie;
- :mod:`vigil.incremental.current`, :mod:`vigil.incremental.region`,
  :mod:`vigil.incremental.relink`, :mod:`vigil.incremental.cases`,
  :mod:`vigil.incremental.hub_degrees`, :mod:`vigil.incremental.rescore`: the current set after
  a run, the cases its changes touch and their relinking, and restating or re-ranking the
  others where a hub's degree or the moment moved;
- :mod:`vigil.incremental.rebuild`: every case of a run in full, linked from the signals'
  facts and triaged a chunk at a time (no signal held for the whole run).
"""
