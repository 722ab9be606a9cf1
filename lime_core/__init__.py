"""lime_core: LIME explanations for text classifiers."""

__version__ = "0.1.0"
