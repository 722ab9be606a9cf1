"""The sidebar every page shares: the model picker and the sampling settings."""

from __future__ import annotations

import streamlit as st

from dashboard.wording import LIME_IS_LOCAL
from lime_core.language import languages_phrase
from lime_core.sampling import SAMPLERS

from . import models, state
from .text import md_escape


def _model_label(info: models.ModelInfo) -> str:
    return info.title if info.available else f"{info.title} (unavailable)"


def render_sidebar(load_errors: dict[str, str] | None = None) -> None:
    """Draw the shared sidebar; its values are read from session state with :func:`state.options_from_sidebar`.

    ``load_errors``: models that are installed but failed to load at start, by name.
    """
    load_errors = load_errors or {}
    catalog = models.model_catalog()
    by_name = {m.name: m for m in catalog}
    names = [m.name for m in catalog]
    if state.MODEL_KEY not in st.session_state or st.session_state[state.MODEL_KEY] not in by_name:
        preferred = [n for n in names if by_name[n].available]
        default = models.DEFAULT_MODEL if models.DEFAULT_MODEL in preferred else (preferred or names or [None])[0]
        st.session_state[state.MODEL_KEY] = default

    with st.sidebar:
        st.selectbox(
            "Model",
            names,
            key=state.MODEL_KEY,
            format_func=lambda n: _model_label(by_name[n]),
            help="The black box to explain. Every model here is loaded once and shared by all users.",
        )
        chosen = by_name.get(st.session_state.get(state.MODEL_KEY))
        if chosen is not None:
            if chosen.name in load_errors:
                st.error(f"Could not load: {md_escape(load_errors[chosen.name])}", icon=":material/error:")
            elif chosen.available:
                if chosen.description:
                    st.caption(md_escape(chosen.description))
            else:
                st.warning(f"Not available: {md_escape(chosen.reason)}", icon=":material/block:")
            st.caption(
                f":material/translate: **Languages:** {md_escape(languages_phrase(chosen.languages))}"
                + ("" if chosen.languages else " (texts are not checked)")
            )
        others = [m for m in catalog if not m.available and m is not chosen]
        for m in others:
            st.caption(f"{md_escape(m.title)} is unavailable: {md_escape(m.reason)}")

        with st.expander("Sampling settings", icon=":material/tune:"):
            if st.session_state.get(state.SAMPLES_MODE_KEY) not in state.SAMPLES_MODE_LABELS:
                st.session_state[state.SAMPLES_MODE_KEY] = state.ExplainOptions.samples_mode
            mode = st.radio(
                "Samples",
                list(state.SAMPLES_MODE_LABELS),
                key=state.SAMPLES_MODE_KEY,
                format_func=state.SAMPLES_MODE_LABELS.__getitem__,
                horizontal=True,
                help=state.SAMPLES_MODE_HELP,
            )
            if mode == state.AUTO:
                st.number_input(
                    "At most (samples)",
                    min_value=200,
                    max_value=state.MAX_SIDEBAR_SAMPLES,
                    value=state.ExplainOptions.max_samples,
                    step=500,
                    key=state.MAX_SAMPLES_KEY,
                    help="The cap of automatic sampling: it never draws more variations than this. If it stops "
                    "at the cap, the trust panel says so.",
                )
            else:
                st.number_input(
                    "Number of samples",
                    min_value=100,
                    max_value=state.MAX_SIDEBAR_SAMPLES,
                    value=state.ExplainOptions.n_samples,
                    step=100,
                    key=state.SAMPLES_KEY,
                    help="How many variations of the text LIME asks the model about. More samples give a steadier "
                    "explanation but take longer (one model call per distinct variation).",
                )
            st.number_input(
                "Seed",
                min_value=0,
                max_value=2**31 - 1,
                value=state.ExplainOptions.seed,
                step=1,
                key=state.SEED_KEY,
                help="The same seed, text and settings give the same explanation.",
            )
            st.selectbox(
                "Level",
                list(state.LEVEL_LABELS),
                key=state.LEVEL_KEY,
                format_func=state.LEVEL_LABELS.__getitem__,
                help=state.LEVEL_HELP,
            )
            st.selectbox(
                "Sampler",
                list(SAMPLERS),
                key=state.SAMPLER_KEY,
                format_func=lambda s: state.SAMPLER_LABELS.get(s, s),
                help=state.SAMPLER_HELP,
            )
            st.checkbox(
                "Word pairs (bigrams)",
                value=state.ExplainOptions.bigrams,
                key=state.BIGRAMS_KEY,
                help="Always weigh adjacent word pairs such as 'kidney stones' too. Unticked: the model's default "
                "(single words; the sentiment model keeps pairs for a text when they fit it better).",
            )
            st.checkbox(
                "Check faithfulness",
                value=state.ExplainOptions.faithfulness,
                key=state.FAITHFULNESS_KEY,
                help="Remove the explanation's top words and ask the model again, against random words and "
                "one-word-at-a-time removal: a few dozen extra model calls per explanation.",
            )
        st.caption(LIME_IS_LOCAL)
