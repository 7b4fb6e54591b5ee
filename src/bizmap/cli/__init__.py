"""The command line: ``main`` holds the ``bizmap`` app; one module per command group."""
