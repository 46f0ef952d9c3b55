"""Coded records: encounters, their documents and codes, a review workflow and an audit trail.

``models`` (the ORM schema), ``db`` (engines, sessions, migrations), ``crypto`` (PHI
encryption at rest), ``audit`` (the hash-chained audit trail), ``importer`` (JSONL and
text+sidecar), ``service.Records`` (every action, with the acting user's role checked and
audited by the one gate in ``gate``; one mixin per concern: ``users``, ``intake``,
``queue``, ``review``, ``export``, ``admin``), ``claim_gate`` (claim edits on stored
encounters).
"""
