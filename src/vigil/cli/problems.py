"""One line on stderr per problem, exactly as written: no wrapping, no Rich markup.

A problem line names a file or option first (``PATH: reason``) so a script can grep for it; Rich
would wrap a long path over two lines and read ``[...]`` in a file name as markup.
"""

from __future__ import annotations

from vigil.cli.common import errors

EXIT_FAILED = 1
"""Some input failed (each one named on stderr); the others were still processed."""


def print_problem(message: str) -> None:
    errors.print(message, soft_wrap=True, markup=False, highlight=False)
