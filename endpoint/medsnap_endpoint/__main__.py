import sys

from medsnap_endpoint.cli import main

sys.exit(main())
