"""Saved: explanations kept in the local database, reopened instantly with no model calls."""

import streamlit as st

from dashboard.saved import SavedStoreError
from ui import saved
from ui.text import md_escape

st.title("Saved explanations")
st.caption(
    "Explanations saved from any result (Explain, Compare, Remote API, Dataset), newest first. Opening one shows "
    "it as it was saved, with no model calls; its link opens it directly, e.g. in a walkthrough prepared in advance."
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
    confirming = st.session_state.get(saved.CONFIRM_DELETE)
    for row in rows:
        with st.container(border=True):
            # Title and facts on the left, the buttons in a column of their own wide enough for their words at
            # any width from 800 px (in six narrow columns they were cut to "O" and "D").
            about, actions = st.columns([3, 2], vertical_alignment="center")
            about.markdown(f"**{md_escape(row.title)}**")
            about.caption(md_escape(
                f"{row.model_title} \u00b7 saved {saved.when(row.created)} \u00b7 {saved.verdict_label(row.verdict)}"
            ))
            with actions.container(horizontal=True, horizontal_alignment="right"):
                if confirming == row.id:
                    st.button("Delete for good", key=f"saved.confirm.{row.id}", type="primary",
                              icon=":material/delete_forever:", on_click=saved.delete, args=(row.id,))
                    st.button("Keep it", key=f"saved.keep.{row.id}", on_click=saved.cancel_delete)
                else:
                    if st.button("Open", key=f"saved.open.{row.id}", icon=":material/open_in_new:"):
                        st.query_params[saved.QUERY_KEY] = row.id
                        st.rerun()
                    st.button("Delete", key=f"saved.delete.{row.id}", icon=":material/delete:",
                              on_click=saved.ask_delete, args=(row.id,))
            if confirming == row.id:
                st.warning(f"Delete \u201c{md_escape(row.title)}\u201d? Its link will stop working; this cannot be "
                           "undone.", icon=":material/warning:")

deleted = st.session_state.pop(saved.DELETED, None)
if deleted:
    st.toast(f"Deleted \u201c{md_escape(deleted)}\u201d.", icon=":material/delete:")

if record is not None:
    st.divider()
    st.subheader(md_escape(record.title), anchor=False)
    st.caption("Link to this explanation:")
    st.code(saved.link(record.id), language=None)
    saved.saved_view(record)
