"""Claims and records in and out: X12 837P/837I, FHIR R4 (R4B models) and HL7 v2."""
