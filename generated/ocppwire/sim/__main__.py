"""``python -m ocppwire.sim`` runs the station simulator (same as ``ocppwire-sim``)."""

import sys

from .cli import main

sys.exit(main())
