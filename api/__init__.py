"""Litestar controllers for /api/v1: parse, call one use case, return a msgspec struct."""
