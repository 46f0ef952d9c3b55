"""ICD-10-PCS: the official Tables and Definitions as releases, validation, explanation."""
