"""`python -m medtrio ...` is the `medtrio` command."""

from medtrio.cli import main

main()
