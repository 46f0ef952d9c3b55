"""Claim edits: what a payer would reject before the claim leaves (ICD-10-CM
conventions, Medicare Code Editor, NCCI PTP / add-on / MUE, code validity)."""
