"""A front end's explanation options, and the one place they become a :class:`~lime_core.explainer.TextExplainer`.

The command line (``explain``, ``explain-batch``), the batch workers, the
dashboard's sidebar and lime's ``LimeTextExplainer`` each let their user choose
how to explain; they describe the choice as an :class:`ExplainerOptions` and
:meth:`ExplainerOptions.build` makes the explainer. Parts may be named as the
command line names them (``sampler="bow"``, ``surrogate="ridge"``,
``tokenization="chars"``) or given as objects; an option left at None keeps the
explainer's own default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .levels import AUTO as AUTO_LEVEL
from .limits import MAX_TEXT_CHARS

if TYPE_CHECKING:
    from .explainer import TextExplainer
    from .kernels import Kernel
    from .sampling import Sampler
    from .surrogates import Surrogate
    from .tokenization import Tokenizer


@dataclass(frozen=True)
class ExplainerOptions:
    """How to explain, in a front end's words (each field's TextExplainer parameter in brackets).

    * ``samples`` (``n_samples``): a count, or ``"auto"`` (rounds until the top words settle, at most
      ``max_samples``); ``seed`` (``random_state``);
    * ``tokenization`` (``tokenizer``): ``"words"``, ``"chars"`` or a tokenizer; ``level``: ``"auto"``,
      ``"words"``, ``"sentences"``, ``"paragraphs"``; ``within``: a drill-down's character span;
    * ``sampler`` (``"mixture"``, ``"positions"``, ``"bow"`` or a sampler), ``surrogate`` (``"softmax"``,
      ``"ridge"`` or a surrogate), ``kernel``, ``bigrams`` (True, False, ``"auto"``, or None: the model's
      default), ``mask_token``, ``removal`` (a name or an operator);
    * ``faithfulness``, ``methods`` (other methods beside LIME), ``multi_label`` (None: the model says),
      ``max_chars`` (the longest text accepted; None: no limit);
    * ``extra``: any other TextExplainer parameter, passed as it is (and winning over the fields above).
    """

    samples: int | str | None = None
    max_samples: int | None = None
    seed: int | None = None
    tokenization: str | Tokenizer = "words"
    level: str = AUTO_LEVEL
    within: tuple[int, int] | None = None
    sampler: str | Sampler | None = None
    surrogate: str | Surrogate | None = None
    kernel: Kernel | None = None
    bigrams: bool | str | None = None
    mask_token: str | None = None
    removal: Any = None
    faithfulness: bool = False
    methods: Sequence[str] | None = None
    multi_label: bool | None = None
    max_chars: int | None = MAX_TEXT_CHARS
    extra: Mapping[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The TextExplainer parameters these options give (named parts looked up; None left out)."""
        from .sampling import get_sampler
        from .surrogates import get_surrogate

        params: dict[str, Any] = {
            "tokenizer": self.tokenization,
            "bigrams": self.bigrams,
            "mask_token": self.mask_token,
            "removal": self.removal,
            "random_state": self.seed,
            "max_chars": self.max_chars,
            "faithfulness": self.faithfulness,
            "methods": self.methods,
            "multi_label": self.multi_label,
            "level": self.level,
            "within": self.within,
        }
        if self.samples is not None:
            params["n_samples"] = self.samples
        if self.max_samples is not None:
            params["max_samples"] = self.max_samples
        if self.sampler is not None:
            params["sampler"] = get_sampler(self.sampler) if isinstance(self.sampler, str) else self.sampler
        if self.surrogate is not None:
            params["surrogate"] = get_surrogate(self.surrogate) if isinstance(self.surrogate, str) else self.surrogate
        if self.kernel is not None:
            params["kernel"] = self.kernel
        params.update(self.extra)
        return params

    def build(self) -> TextExplainer:
        """A fresh, unfitted :class:`~lime_core.explainer.TextExplainer` with these options."""
        from .compat.eli5_api import TextExplainer  # lime_core.TextExplainer (compat's lime front end builds one too)

        return TextExplainer(**self.params())
