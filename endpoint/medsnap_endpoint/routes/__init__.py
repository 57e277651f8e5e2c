"""HTTP routes, one module per concern; :mod:`medsnap_endpoint.app` assembles them."""
