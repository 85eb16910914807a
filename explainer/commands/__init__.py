"""The CLI's commands, one module per family; cli.py wires them into one typer app."""
