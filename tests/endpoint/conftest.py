"""Fixtures for the endpoint tests. Helpers live in endpoint_support, which test modules
import by that unique name (several folders have a conftest module)."""

from endpoint_support import (  # noqa: F401  (fixtures)
    enrol, make_database_url, pg_cluster, server, start_server)
