"""Shared support for every room: result folders, figures of runs, parallel workers, scenarios."""
