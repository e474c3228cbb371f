"""Output table contracts (pandera) and steward-edited reference data."""
