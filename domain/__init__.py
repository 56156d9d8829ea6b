"""The regime's rules as plain functions over plain data (no web, ORM or search imports)."""
