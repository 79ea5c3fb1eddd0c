"""Durable intake of records sent one request at a time (the web service's panic-button door).

:class:`~vigil.intake.service.Intake` validates a request's records as the importers do, matches
reports and media observations against the banks at once, commits records, signals and answer in
one transaction before answering, and asks for a debounced background run to update cases.
No web imports here: the service layer is plain library code.
"""
