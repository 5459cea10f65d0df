"""`python -m emnist_core ...`: the command line."""

import sys

from emnist_core.cli import main

# Guarded: a process pool started by this command (training draws its pen drawings in
# one) imports this module again in each of its processes.
if __name__ == "__main__":
    sys.exit(main())
