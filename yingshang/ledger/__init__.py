"""The tamper-evident ledger: every business action as a leaf of an RFC 9162 Merkle tree."""
