"""CPT from a file the user licenses (``medcoder setup --cpt FILE``).

Nothing CPT-descriptive ships with medcoder: descriptors come only from the user's file
and are stored under ``<MEDCODER_HOME>/cpt/<release>/``. Without one, CPT numbers are still
validated on a date from the I/OCE table (``codesets/hcpcs``), shown without descriptors.
"""
