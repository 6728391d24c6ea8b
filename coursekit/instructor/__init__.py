"""Instructor and maintainer tools: build the exercises, grade a class, benchmark, the CLI.

Nothing outside this package imports it: the student API (``coursekit``) never depends on it.
"""
