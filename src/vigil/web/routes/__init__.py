"""One module of routes per area; each only reads the request and calls the library."""
