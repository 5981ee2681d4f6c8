"""E-licences as W3C Verifiable Credentials (S6, S10): Data Integrity proofs, status lists."""
