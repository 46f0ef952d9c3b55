"""Choosing codes the way a coder does: index lookup, Tabular verification, guidelines."""
