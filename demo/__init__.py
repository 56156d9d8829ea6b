"""Demo data: generated entities, results and honours, and the seed-based records."""
