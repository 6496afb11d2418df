"""The village scheme."""
