"""The HTTP layer: thin routers over the services in ``waste_tracker``."""
