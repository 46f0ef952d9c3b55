"""``python -m medcoder``: the ``medcoder`` command line."""

from medcoder.cli import main

if __name__ == "__main__":
    main(prog_name="medcoder")
