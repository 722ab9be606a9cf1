"""The command line, ``python -m lime_core`` (and ``lime-core``), one module per command group:

* :mod:`.explain` -- ``explain``: one prediction, as text, JSON or HTML;
* :mod:`.models` -- ``models``: the bundled models and whether each can be loaded;
* :mod:`.batch` -- ``explain-batch`` and ``summarize``: a data set into Parquet files, and its summary;
* :mod:`.serve` -- ``python -m lime_core.serve``: a bundled model over HTTP;
* :mod:`.options` -- the model and explanation options ``explain`` and ``explain-batch`` share;
* :mod:`.io` -- reading the text and writing the output; :mod:`.errors` -- one-line errors and exit statuses;
* :mod:`.main` -- the parser and :func:`main`, which turns every failure into one ``error:`` line.

Models are opened by :mod:`lime_core.model_source` and explainers built by :mod:`lime_core.explainer_options`,
as in every other front end. docs/cli.md is the user's guide.
"""

from .errors import EXIT_RUNTIME, EXIT_USAGE, CliError
from .main import build_parser, main

__all__ = ["EXIT_RUNTIME", "EXIT_USAGE", "CliError", "build_parser", "main"]
