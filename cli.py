"""`python cli.py …` from a checkout does what the installed `amif-extract` command does."""

from amif_extract.cli import app

if __name__ == "__main__":
    app(prog_name="amif-extract")
