"""What the project's developers run: the benchmark and the generated documentation tables."""
