"""The ``hybridsync`` command line (Typer): one module per command group."""
