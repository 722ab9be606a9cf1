"""Remote API: explain a model that is only reachable over HTTP."""

import streamlit as st

from ui import live, remote, run, saved, state, views

st.title("Explain a model behind an API")
st.caption(
    "LIME only needs the model's answers, so it can explain a model it cannot see. Each explanation sends "
    "batches of text variations to the endpoint; the request count is shown before anything is sent. "
    "The sidebar's sampling settings apply here; its model does not."
)

if st.session_state.get("remote.explain"):  # Explain was pressed: a new attempt, the last one's messages go
    st.session_state[state.REMOTE_CONNECTION] = None
    st.session_state[remote.NOTE] = None

settings_col, text_col = st.container(key="lc-stack-remote-input").columns([2, 3], gap="large")
with settings_col:
    st.markdown("##### Endpoint")
    conn = remote.settings_form()
    if st.button("Test connection", icon=":material/network_check:"):
        st.session_state[remote.ERROR] = None  # a new attempt: the last one's messages go
        st.session_state[remote.NOTE] = None
        st.session_state[state.REMOTE_CONNECTION] = remote.test_connection(conn)
    remote.show_connection()
with text_col:
    text = views.text_input("remote", switch_model=False)
    options = state.options_from_sidebar()
    remote.request_estimate(conn, options, text)
    clicked = st.button("Explain", type="primary", icon=":material/play_arrow:", key="remote.explain")

result: state.RunResult | None = state.get(state.REMOTE_RESULT)
# The result's place is the first child of one container under the input: a run first draws an empty element
# there, which removes every panel of the older result, so nothing older stays beside the rounds drawn while
# sampling goes on (ui.live; the Explain page says why).
below = st.container()
result_place = below.empty()
if clicked:
    problem = run.check_text(text) or (None if conn.url else "Enter the endpoint URL first.")
    new, error = None, problem
    if not problem:
        try:
            classifier = remote.make_classifier(conn)
        except Exception as exc:
            error = remote.user_message(exc)
        else:
            with below:
                new, error = run.explain(
                    text, classifier, classifier.url, classifier.name, options, label="Asking the API",
                    batch_size=conn.batch_size * 2, source=state.ModelSource(state.REMOTE, classifier.url, conn),
                    running_key="remote",
                    live=live.LiveRun("remote", state.REMOTE_RESULT, st.session_state.get("remote.class")),
                )  # fmt: skip
            classifier.close()  # the result keeps the connection settings only; a later check builds a new one
    st.session_state[remote.ERROR] = remote.sentence(error) if error else None
    if new is not None:
        state.put(state.REMOTE_RESULT, new)
        if conn.is_builtin and remote.token_given():
            st.session_state[remote.NOTE] = remote.UNCHECKED_TOKEN_NOTE
        st.rerun()  # draw the result in its place (the rounds' elements go)

with result_place.container():
    views.stopped_notice("remote")
    views.show_error(st.session_state.get(remote.ERROR), result is not None)
    if st.session_state.get(remote.NOTE):
        st.info(st.session_state[remote.NOTE], icon=":material/info:")
    if result is not None:
        st.divider()
        class_name = views.class_picker("remote.class", result.class_names, result.predicted_class, narrow=True)
        explanation = views.explanation_view(result, class_name, key="remote")
        saved.save_form(result, explanation, key="remote")
