"""`python -m ui`: the same as the `bireader` command."""

import sys

from ui.launcher import main

sys.exit(main())
