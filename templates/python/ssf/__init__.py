"""gc-ssf's Python shim: the `ssf` package that applications written for upstream SSF import.

It holds the application interface only (no server): gc-ssf's C++ runtime hosts each replica in a
worker process running `ssf._worker`, which loads the application module and talks to the server
over a Unix socket.
"""
__version__ = "1.2.0"
