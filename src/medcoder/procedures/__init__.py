"""Procedures and services: ICD-10-PCS, HCPCS Level II, CPT and the E/M level.

Each procedure coder is a stage with the same shape (``ProcedureCoder``): it reads the
document and its sections and returns frozen ``ProcedureAssignment`` results that carry
evidence, path, rules and confidence like diagnosis codes do.
"""
