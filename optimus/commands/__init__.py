"""CLI commands, one module each; :mod:`optimus.cli` registers them."""
