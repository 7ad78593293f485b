"""``python -m optimus`` runs the command line."""

import sys

from optimus.cli import main

sys.exit(main())
