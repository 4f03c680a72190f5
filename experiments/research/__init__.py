"""What researchers do: sweeps, sensitivity analysis, calibration, comparisons, robustness."""
