"""Altair charts of the frames computed in :mod:`dashboard.report`.

Colours match the highlighted text (lime_core.formatters.highlight): green for
words that push towards the class, red for words that push against it.
"""

from __future__ import annotations

import textwrap
import unicodedata

import altair as alt
import pandas as pd

from lime_core.formatters.highlight import NEGATIVE_RGB, POSITIVE_RGB
from lime_core.wording import BASELINE_LABELS

GREEN = "#{:02x}{:02x}{:02x}".format(*POSITIVE_RGB)
RED = "#{:02x}{:02x}{:02x}".format(*NEGATIVE_RGB)
GREY = "#94a3b8"
BLUE = "#2563eb"
ORANGE = "#f59e0b"
_BREAKING = {"Cc", "Zl", "Zp"}  # control characters, line and paragraph separators
ROW_HEIGHT = 28  # px per bar or row: above a label's height, so Vega never hides a label as overlapping
LABEL_CHARS = 34  # characters per line of a wrapped class name (Vega cuts a longer line at labelLimit with "…")
TITLE_CHARS = 56  # characters per line of a wrapped axis title (a longer one ran off the chart)
LINE_HEIGHT = 14  # px per extra line of a wrapped label or title
LABEL_INSIDE = 0.75  # from this probability on, a bar's figure is drawn inside its end


def probability_chart(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: the model's probability of each class; the predicted class stands out."""
    data = frame.assign(label=frame["probability"].map(lambda p: f"{100 * p:.1f}%"))
    lines = max((len(_wrapped(c, LABEL_CHARS)) for c in data["class"]), default=1)
    axis = alt.Axis(labelLimit=240, labelOverlap=False, labelExpr=_wrapped_labels(data["class"], LABEL_CHARS))
    base = alt.Chart(data).encode(
        y=alt.Y("class:N", sort="-x", title=None, axis=axis),
        x=alt.X("probability:Q", title="Model probability", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1])),
        tooltip=[
            alt.Tooltip("class:N", title="Class"),
            alt.Tooltip("probability:Q", title="Model", format=".1%"),
            alt.Tooltip("surrogate_probability:Q", title="Explanation's estimate", format=".1%"),
        ],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        color=alt.condition(alt.datum.predicted, alt.value(BLUE), alt.value(GREY)),
    )
    # The figure after the bar's end, or inside it near 100% (after the end it ran off the chart: "93.:").
    outside = base.transform_filter(f"datum.probability < {LABEL_INSIDE}").mark_text(align="left", dx=4, fontSize=12)
    inside = base.transform_filter(f"datum.probability >= {LABEL_INSIDE}").mark_text(
        align="right", dx=-4, fontSize=12, color="white"
    )
    # Streamlit fits the whole chart (axes included) into the height: add room for the x axis.
    height = (34 + LINE_HEIGHT * (lines - 1)) * len(data) + 60
    return (bars + outside.encode(text="label:N") + inside.encode(text="label:N")).properties(height=height)


def weights_chart(
    frame: pd.DataFrame, class_name: str, domain: float | None = None, confidence: float | None = None
) -> alt.Chart:
    """Diverging bars of the top words for (green, right) and against (red, left) the class.

    With intervals in the frame (``interval_low``/``interval_high``, from
    :func:`dashboard.report.top_weights_frame`) each bar gets an error bar,
    and the bars of words whose interval crosses zero (``sign`` "uncertain")
    are lighter with a dashed outline, explained in the legend.
    ``domain`` fixes the x axis to [-domain, domain] so two charts can be compared.
    """
    class_name = chart_label(class_name)
    ranges = "interval_low" in frame and bool(frame["interval_low"].notna().any())
    # Rows plus the x axis and the legends: Streamlit fits the whole chart into the height, so the overhead must
    # cover them, or a short list gets bands under a label's height and Vega hides every other word's label.
    title = _wrapped(f"Weight for \u201c{class_name}\u201d", TITLE_CHARS)
    height = ROW_HEIGHT * len(frame) + (190 if ranges else 130) + LINE_HEIGHT * (len(title) - 1)
    x_scale = alt.Scale(domain=[-domain, domain]) if domain else alt.Undefined
    level = f"{confidence:.0%} " if confidence else ""
    tooltip = [
        alt.Tooltip("feature:N", title="Word"),
        alt.Tooltip("weight:Q", title="Weight", format="+.3f"),
        alt.Tooltip("direction:N", title="Pushes"),
    ]
    if ranges:
        tooltip += [
            alt.Tooltip("range:N", title=f"Likely range ({level}interval)".replace(" ()", "")),
            alt.Tooltip("std:Q", title="Std error", format=".3f"),
            alt.Tooltip("sign:N", title="Sign"),
        ]
    # An explicit order (not a sort field): the error-bar layer must not reorder the shared y axis.
    order = frame.sort_values("order")["feature"].tolist()
    base = alt.Chart(frame).encode(
        y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
        tooltip=tooltip,
    )
    colour = alt.Color(
        "direction:N",
        scale=alt.Scale(domain=["for", "against"], range=[GREEN, RED]),
        # The class is named in the axis title; in the legend a long class name was cut ("towards soc.religion.chri…").
        legend=alt.Legend(title=None, orient="bottom", labelExpr=(
            "datum.label == 'for' ? 'pushes towards the class' : 'pushes against it'")),
    )
    x = alt.X("weight:Q", title=_title(title), scale=x_scale)
    if not ranges:
        bars = base.mark_bar(cornerRadius=2, height={"band": 0.75}).encode(x=x, color=colour)
        rule = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#6b7280").encode(x="x:Q")
        return (bars + rule).properties(height=height)

    sign_domain = ["certain", "uncertain"]
    sign_legend = alt.Legend(  # above the bars: below them the colour legend already fills a narrow chart's width
        title=None,
        orient="top",
        direction="horizontal",
        labelExpr="datum.label == 'certain' ? 'sign certain' : 'sign uncertain'",
        symbolFillColor="#94a3b8",
        symbolStrokeColor="#475569",
    )
    bars = base.mark_bar(cornerRadius=2, height={"band": 0.75}, strokeWidth=1.2).encode(
        x=x,
        color=colour,
        opacity=alt.Opacity("sign:N", scale=alt.Scale(domain=sign_domain, range=[1.0, 0.35]), legend=sign_legend),
        stroke=alt.Stroke("direction:N", scale=alt.Scale(domain=["for", "against"], range=[GREEN, RED]),
                          legend=None),
        strokeDash=alt.StrokeDash("sign:N", scale=alt.Scale(domain=sign_domain, range=[[1, 0], [3, 2]]),
                                  legend=sign_legend),
    )
    errors = base.mark_rule(color="#1f2937", strokeWidth=1.3).encode(
        x=alt.X("interval_low:Q", title=_title(title), scale=x_scale),
        x2="interval_high:Q",
    )
    ends = [
        base.mark_tick(color="#1f2937", thickness=1.3, size=8).encode(
            x=alt.X(f"{end}:Q", title=_title(title), scale=x_scale)
        )
        for end in ("interval_low", "interval_high")
    ]
    rule = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#6b7280").encode(x="x:Q")
    return alt.layer(bars, errors, *ends, rule).properties(height=height)


def deletion_curve_chart(frame: pd.DataFrame, class_name: str, k: int | None = None) -> alt.Chart:
    """The real model's probability as words are removed, most important first: ours vs random vs occlusion.

    ``frame`` is :func:`dashboard.report.deletion_curve_frame`; ``k`` marks how many words the
    comprehensiveness and sufficiency figures remove.
    """
    order = [BASELINE_LABELS[name] for name in ("explanation", "random", "occlusion")]
    class_name = chart_label(class_name)
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=22), strokeWidth=2.2).encode(
        x=alt.X("words_removed:Q", title="Words removed, most important first", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("probability:Q", title=f"P({class_name})", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", values=[0, 0.5, 1])),
        color=alt.Color("ranking:N", scale=alt.Scale(domain=order, range=[BLUE, GREY, ORANGE]),
                        legend=alt.Legend(title=None, orient="bottom")),
        strokeDash=alt.StrokeDash("ranking:N", scale=alt.Scale(domain=order, range=[[1, 0], [4, 3], [1, 0]]),
                                  legend=None),
        order=alt.Order("words_removed:Q"),
        tooltip=[
            alt.Tooltip("ranking:N", title="Order"),
            alt.Tooltip("words_removed:Q", title="Words removed"),
            alt.Tooltip("probability:Q", title=f"P({class_name})", format=".1%"),
        ],
    )
    layers = [lines]
    if k:
        marker = pd.DataFrame({"k": [k], "label": [f"top {k}"]})
        layers.append(alt.Chart(marker).mark_rule(color="#9ca3af", strokeDash=[2, 2]).encode(x="k:Q"))
        layers.append(
            alt.Chart(marker).mark_text(align="center", dy=-7, fontSize=11, color="#6b7280").encode(
                x="k:Q", y=alt.value(0), text="label:N"
            )
        )
    # Streamlit fits axes and legend into the height too: about 200 px are left for the curves.
    return alt.layer(*layers).properties(height=320)


def class_weights_heatmap(frame: pd.DataFrame) -> alt.Chart:
    """Features (rows) by classes (columns), coloured by the surrogate's weight: the whole local model."""
    extent = float(frame["weight"].abs().max() or 1.0)
    n_features = frame["feature"].nunique()
    n_classes = frame["class"].nunique()
    base = alt.Chart(frame).encode(
        # Slanted labels when the classes are many, so none is hidden as overlapping.
        x=alt.X("class:N", title=None, axis=alt.Axis(orient="top", labelAngle=0 if n_classes <= 4 else -40,
                                                     labelLimit=200, labelOverlap=False, labelAlign="left"
                                                     if n_classes > 4 else "center")),
        y=alt.Y("feature:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=180)),
        tooltip=[
            alt.Tooltip("feature:N", title="Word"),
            alt.Tooltip("class:N", title="Class"),
            alt.Tooltip("weight:Q", title="Weight", format="+.3f"),
        ],
    )
    cells = base.mark_rect(cornerRadius=2).encode(
        color=alt.Color(
            "weight:Q",
            scale=alt.Scale(domain=[-extent, 0, extent], range=[RED, "#ffffff", GREEN]),
            legend=alt.Legend(title="Weight", orient="right", gradientLength=160),
        )
    )
    text = base.mark_text(fontSize=11, color="#1f2328").encode(text=alt.Text("weight:Q", format="+.2f"))
    return (cells + text).properties(height=ROW_HEIGHT * n_features + (60 if n_classes <= 4 else 160))


def neighbourhood_chart(frame: pd.DataFrame) -> alt.Chart:
    """Each perturbed sample: its similarity to the original vs the model's probability for the class.

    Coloured by whether the class's strongest word was kept or removed; the
    original text is the large dark point at similarity 1.
    """
    class_name = chart_label(frame["class"].iloc[0]) if len(frame) else ""
    word = chart_label(frame["top_word"].iloc[0]) if len(frame) else ""
    samples = frame[~frame["original"]]
    original = frame[frame["original"]]
    status_domain = ["kept", "partly removed", "removed"]
    points = alt.Chart(samples).mark_circle(size=28, opacity=0.55).encode(
        x=alt.X("similarity:Q", title="Similarity to the original text (1 = nothing removed)",
                scale=alt.Scale(zero=False)),
        y=alt.Y("model_probability:Q", title=f"Model probability of \u201c{class_name}\u201d",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color(
            "top_word_status:N",
            title=f"\u201c{word}\u201d",
            scale=alt.Scale(domain=status_domain, range=[GREEN, ORANGE, RED]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("similarity:Q", format=".2f", title="Similarity"),
            alt.Tooltip("words_kept:Q", format=".0%", title="Words kept"),
            alt.Tooltip("model_probability:Q", format=".1%", title="Model"),
            alt.Tooltip("surrogate_probability:Q", format=".1%", title="Explanation's estimate"),
            alt.Tooltip("top_word_status:N", title=f"\u201c{word}\u201d"),
        ],
    )
    star = alt.Chart(original).mark_point(shape="diamond", size=160, filled=True, color="#111827").encode(
        x="similarity:Q",
        y="model_probability:Q",
        tooltip=[alt.Tooltip("model_probability:Q", format=".1%", title="The original text")],
    )
    return (points + star).properties(height=440)


def _wrapped(text: object, width: int) -> list[str]:
    """The label in lines of at most ``width`` characters (a longer word alone on its line)."""
    return textwrap.wrap(chart_label(text), width, break_long_words=False, break_on_hyphens=False) or [""]


def _title(lines: list[str]) -> str | list[str]:
    return lines[0] if len(lines) == 1 else lines


def _wrapped_labels(labels: object, width: int) -> str:
    """A labelExpr drawing each label longer than ``width`` on several lines (Vega draws an array as lines)."""
    expression = "datum.label"
    for label in dict.fromkeys(map(str, labels)):  # type: ignore[call-overload]
        lines = _wrapped(label, width)
        if len(lines) > 1:
            shown = ", ".join(f"'{_js(line)}'" for line in lines)
            expression = f"datum.label == '{_js(label)}' ? [{shown}] : {expression}"
    return expression


def chart_label(text: object) -> str:
    """A label fit for a chart's titles and tooltips: line and paragraph breaks (\\r, \\n, U+2028, U+2029) and other
    control characters become spaces, since Vega compiles titles into expressions where they end a string."""
    return "".join(" " if unicodedata.category(ch) in _BREAKING else ch for ch in str(text))


def _js(text: str) -> str:
    """Quote a label for a Vega expression string literal."""
    return chart_label(text).replace("\\", "\\\\").replace("'", "\\'")
