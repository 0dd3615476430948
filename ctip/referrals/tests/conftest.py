from ctip.shelters.testing import case, consent_to_b, org_c, records, survivor  # noqa: F401
