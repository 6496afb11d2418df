"""The school scheme."""
