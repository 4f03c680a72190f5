"""``python -m experiments.cli``: the same as ``phase0``."""

import sys

from experiments.cli import main

sys.exit(main())
