// Connectors (Kafka Connect's REST API): each with its state and last error;
// pause, resume, restart, delete.
import { del, get, post, put, seg } from '../api.js';
import { ActionButton, html, Loading, useLoad } from '../ui.js';

async function load() {
  const r = await get('/connectors?expand=status');
  return Object.entries(r).map(([name, v]) => ({ name, ...v.status }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function Connectors() {
  const state = useLoad(load, [], 5000);
  const act = (f) => async () => { await f(); state.reload(); };
  return html`<section aria-labelledby="connectors-title">
    <h1 id="connectors-title">Connectors</h1>
    <${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">State</th>
        <th scope="col">Last error</th><th scope="col">Actions</th></tr></thead>
      <tbody>${state.data.map((c) => {
        const tasks = c.tasks || [];
        const err = tasks.map((t) => t.trace).filter(Boolean)[0] || (c.connector && c.connector.trace);
        return html`<tr><td>${c.name}</td><td>${c.type || '–'}</td>
          <td class="connector-state">${c.connector ? c.connector.state : '–'}</td>
          <td>${err ? html`<details><summary>error</summary><pre>${err}</pre></details>` : '–'}</td>
          <td><${ActionButton} action=${act(() => put(`/connectors/${seg(c.name)}/pause`))}>Pause<//>
            <${ActionButton} action=${act(() => put(`/connectors/${seg(c.name)}/resume`))}>Resume<//>
            <${ActionButton} action=${act(() => post(`/connectors/${seg(c.name)}/restart`))}>Restart<//>
            <${ActionButton} kind="danger" action=${act(() => del(`/connectors/${seg(c.name)}`))}>Delete<//>
          </td></tr>`;
      })}</tbody>
    </table>
    ${!state.data.length && html`<p class="muted">No connectors. Create one with <code>brook connector create</code> or POST /connectors.</p>`}`}
  </section>`;
}
