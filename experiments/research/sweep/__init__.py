"""The sweep engine: designs (SALib, LHS, grid), batched execution, resumable storage."""
