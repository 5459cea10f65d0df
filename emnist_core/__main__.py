"""`python -m emnist_core ...`: the command line."""

import sys

from emnist_core.cli import main

sys.exit(main())
