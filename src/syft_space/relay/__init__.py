"""Published endpoints as SyftBox routers, and a client for other routers (spec 004)."""
