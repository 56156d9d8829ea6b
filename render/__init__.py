"""Document renderers that know neither the web nor the database (guide booklets as HTML/PDF)."""
