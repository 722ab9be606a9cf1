"""What the dashboard needs beside the engine, in plain Python: no Streamlit here.

lime_core is the engine (explainer, explanation data, formatters, models, CLI,
server) and never imports this package. The view code in ``ui/`` and the page
scripts in ``app_pages/`` draw what these modules compute, and tests reach all
of it without a Streamlit runtime:

* :mod:`dashboard.results` -- a run's result (the fit as plain data, its
  explanations per class), the settings it ran with, and the checks before a run;
* :mod:`dashboard.dataset` -- the Dataset page's work: its data, background
  batch runs, and the run's table, filters and pages;
* :mod:`dashboard.remote` -- the Remote API page's connection settings and
  which URLs the dashboard may call;
* :mod:`dashboard.report` -- pandas frames for the charts and tables, the
  downloads (CSV, JSON, HTML);
* :mod:`dashboard.checklist` -- the one-line-per-check list beside each verdict;
* :mod:`dashboard.progress` -- progress over model calls and the time left;
* :mod:`dashboard.examples` -- the ready-made demo texts and their stories;
* :mod:`dashboard.saved` -- the SQLite store of saved explanations;
* :mod:`dashboard.stored` -- an explanation reopened from storage (the Dataset
  and Saved pages), with no model behind it;
* :mod:`dashboard.wording` -- sentences that only the dashboard shows (the
  ones the reports share are in :mod:`lime_core.wording`).
"""
