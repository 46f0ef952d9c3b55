"""Coded records: encounters, their documents and codes, a review workflow and an audit trail.

``models`` (the ORM schema), ``db`` (engines, sessions, migrations), ``crypto`` (PHI
encryption at rest), ``audit`` (the hash-chained audit trail), ``service`` (every action,
with the acting user's role checked and audited), ``importer`` (JSONL and text+sidecar).
"""
