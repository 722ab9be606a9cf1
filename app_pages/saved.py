"""Saved: explanations kept in the local database, reopened instantly with no model calls."""

import streamlit as st

from dashboard.saved import SavedStoreError
from ui import saved
from ui.text import md_escape

st.title("Saved explanations")
st.caption(
    "Explanations saved from the Explain page, newest first. Opening one shows it as it was saved, with no model "
    "calls; its link opens it directly, e.g. in a walkthrough prepared in advance."
)

store = saved.store()
wanted = st.query_params.get(saved.QUERY_KEY)
try:
    rows = store.list()
    record = store.get(wanted) if wanted else None
except SavedStoreError as exc:
    st.error(md_escape(exc), icon=":material/error:")
    st.stop()

if wanted and record is None:
    st.warning(
        "No saved explanation has this link: it was deleted, or the link is incomplete.", icon=":material/link_off:"
    )

if not rows:
    st.info("Nothing is saved yet. Explain a text, then use **Save this explanation** under the result.",
            icon=":material/bookmark:")
else:
    with st.container(border=True):
        header = st.columns([4, 3, 2, 2, 1, 1])
        for col, name in zip(header, ("Title", "Model", "Saved", "Verdict", "", ""), strict=True):
            col.markdown(f"**{name}**" if name else "")
        for row in rows:
            cols = st.columns([4, 3, 2, 2, 1, 1], vertical_alignment="center")
            cols[0].text(row.title)
            cols[1].text(row.model_title)
            cols[2].text(saved.when(row.created))
            cols[3].text(saved.verdict_label(row.verdict))
            if cols[4].button("Open", key=f"saved.open.{row.id}", icon=":material/open_in_new:"):
                st.query_params[saved.QUERY_KEY] = row.id
                st.rerun()
            if cols[5].button("Delete", key=f"saved.delete.{row.id}", icon=":material/delete:"):
                store.delete(row.id)
                if wanted == row.id:
                    del st.query_params[saved.QUERY_KEY]
                st.rerun()

if record is not None:
    st.divider()
    st.subheader(md_escape(record.title), anchor=False)
    st.caption("Link to this explanation:")
    st.code(saved.link(record.id), language=None)
    saved.saved_view(record)
