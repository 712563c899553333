"""Geometry helpers: datum conversion, boundary loading, distances."""
