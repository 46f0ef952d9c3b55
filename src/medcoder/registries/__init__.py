"""Registries (issue 15): what a registry collects, as a data file, and the test of
whether an encounter qualifies. Pure: no database; ``medcoder.records.enrollment`` keeps
the members."""
