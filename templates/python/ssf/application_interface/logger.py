"""Logging for applications: records of any logger go to gc-ssf's ssf.log and terminal.

The worker installs a handler on the root logger that forwards each record to the server, which
writes it in upstream's format with the worker's pid.
"""
import logging

_levels = (logging.DEBUG, logging.INFO)


def get_default_logging_levels():
    """(file level, stdout level), as given by --file-log-level and --stdout-log-level."""
    return _levels


def set_default_logging_levels(file_level, stdout_level):
    global _levels
    _levels = (logging.getLevelName(file_level) if isinstance(file_level, str) else file_level,
               logging.getLevelName(stdout_level) if isinstance(stdout_level, str) else stdout_level)
