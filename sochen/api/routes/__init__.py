"""The routers of the HTTP service; each route validates, calls a service, returns."""
