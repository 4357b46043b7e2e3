"""Jinja2 templates ocppgen renders: one per generated module kind (shipped as package data)."""
