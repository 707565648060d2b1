"""Proposals, consortia, budgets, roadmaps, versions and attachments.

Empty until the proposals capability (issue 3) lands; the app exists so the
project's layout and migration graph are stable from the start.
"""
