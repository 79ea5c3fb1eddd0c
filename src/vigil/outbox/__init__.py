"""Onward delivery of exported reports through a transactional outbox.

An export meant for a partner's webhook, a clearing-house endpoint or a MISP instance is not sent
from the command that made it: it is stored as a :class:`~vigil.outbox.model.Delivery` in the same
store transaction as the audit event that records it (:func:`~vigil.outbox.enqueue.enqueue_export`),
and a worker (:func:`~vigil.outbox.worker.run_outbox`) sends it, retrying with backoff until the
receiver acknowledges it or it becomes a dead letter with its reason. See docs/exports.md.
"""
