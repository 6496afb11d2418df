"""The ledger scheme."""
