"""MS-DRG grouping of inpatient stays (CMS MS-DRG v43, FY2026) through drgpy, corrected from
the CMS IPPS tables."""
