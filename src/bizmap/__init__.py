"""bizmap: business service management.

The domain core (``bizmap.domain``) holds the model, propagation, calendars, cost,
episodes and SLA math and does no I/O. Loading files, the CLI and replay are shells
around it.
"""

__version__ = "0.1.0"
