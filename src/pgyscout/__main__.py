import sys

from pgyscout.cli import main

sys.exit(main())
