"""A plain, per-agent Mesa implementation of phase0's rules, for docking."""
