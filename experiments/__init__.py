"""What drives the phase0 model: the command line, figures, outputs, benchmarks."""
