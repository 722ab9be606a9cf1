"""A multi-label model on the dashboard (AppTest): every label's probability shown, the chosen label explained.

The model is served over HTTP on 127.0.0.1 by lime_core's own model server and explained from the Remote API
page with its "Multi-label model" box, as a Hugging Face multi-label checkpoint would be.
"""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from lime_core.serve import serve_in_thread
from tests.blackboxes import MULTI_LABEL_BIAS, MULTI_LABEL_COEFS, MULTI_LABEL_TEXT, MultiLabelWordModel
from tests.test_app_pages import app_env, chart_with, errors, goto, press, start, visible_text  # noqa: F401


def test_remote_multi_label_model_shows_every_label_and_explains_the_chosen_one():
    model = MultiLabelWordModel(MULTI_LABEL_COEFS, MULTI_LABEL_BIAS)
    with serve_in_thread(model, model_name="topics") as handle:
        at = goto(start(), "remote_api")
        at.text_input(key="remote.url").set_value(handle.url + "/").run()
        at.text_area(key="remote.text").set_value(MULTI_LABEL_TEXT).run()
        press(at, "Explain", key="remote.explain")
        # Without the box, the scores that do not sum to 1 are refused, naming the box.
        assert errors(at) and "do not sum to 1" in errors(at)[-1] and "Multi-label model" in errors(at)[-1]
        at.checkbox(key="remote.multi_label").check().run()
        press(at, "Explain", key="remote.explain")
        assert errors(at) == []
        result = at.session_state["remote.result"]
        assert result.class_names == ["politics", "sport", "weather"] and result.predicted_class == "weather"
        _, frame = chart_with(at, "class", "probability")
        shown = dict(zip(frame["class"], frame["probability"], strict=False))
        assert set(shown) == {"politics", "sport", "weather"} and sum(shown.values()) > 1.5  # independent labels
        assert "Label probabilities" in visible_text(at)
        assert "Explaining **weather**" in visible_text(at)
        at.selectbox(key="remote.class").set_value("sport").run()
        assert errors(at) == [] and "Explaining **sport**" in visible_text(at)
        sport = result.explanation("sport")
        assert sport.multi_label.label == "sport" and sport.targets[0].top(1)[0].feature == "goal"
