import sys

from medsnap.cli import main

sys.exit(main())
