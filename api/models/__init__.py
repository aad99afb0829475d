"""Typed shapes of the JSON API: what the routes take and give (they become the OpenAPI schemas)."""
