// Agents (the registry, doc/registry.md): the caller's agents; register one (its
// credentials shown once, with a ready connection snippet), rotate, disable, enable, delete.
import { useState } from 'preact/hooks';
import { del, get, post, seg } from '../api.js';
import { ActionButton, ErrorBox, Field, html, Loading, formatTime, useLoad } from '../ui.js';

function Credentials({ agent, bootstrap }) {
  const snippet = [
    `bootstrap.servers=${bootstrap.address}`,
    `security.protocol=${bootstrap.protocol}`,
    `sasl.mechanism=${agent.sasl_mechanism}`,
    `sasl.username=${agent.username}`,
    `sasl.password=${agent.password}`,
    `# the agent's topic: ${agent.topic}; its consumer groups start with ${agent.group_prefix}`,
  ].join('\n');
  const copy = (text) => navigator.clipboard && navigator.clipboard.writeText(text);
  return html`<div class="credentials" role="status">
    <h2>Credentials of ${agent.name} (shown once)</h2>
    <p>User name: <code class="username">${agent.username}</code></p>
    <p>Password: <code class="secret">${agent.password}</code>
      <button type="button" onClick=${() => copy(agent.password)}>Copy password</button></p>
    <pre class="snippet">${snippet}</pre>
    <button type="button" onClick=${() => copy(snippet)}>Copy settings</button>
  </div>`;
}

// The listener an agent logs in on: a SASL one (TLS first), as the broker advertises it.
async function bootstrapServers() {
  const listeners = (await get('/v1/overview')).listeners;
  const l = listeners.find((x) => x.security_protocol === 'SASL_SSL') ||
    listeners.find((x) => x.security_protocol === 'SASL_PLAINTEXT') || listeners[0];
  return l ? { address: `${l.advertised_host}:${l.advertised_port}`, protocol: l.security_protocol }
    : { address: '', protocol: '' };
}

// An agent's recent logins and failed logins, from the audit topic.
function Logins({ agent }) {
  const [open, setOpen] = useState(false);
  const state = useLoad(async () => (open ? (await get(`/v1/agents/${seg(agent.id)}/logins?limit=1000`)).logins : null),
    [open, agent.id]);
  const recent = (state.data || []).slice(-20).reverse();
  return html`<details onToggle=${(e) => setOpen(e.target.open)}>
    <summary>Logins</summary>
    ${open && html`<${Loading} state=${state} />`}
    ${state.data && (recent.length ? html`<ul class="logins">${recent.map((l) => html`<li
      class=${l.outcome === 'success' ? '' : 'error'}>${l.time} ${l.outcome} ${l.mechanism || ''}
      from ${l.client || '?'}${l.reason ? ': ' + l.reason : ''}</li>`)}</ul>`
      : html`<p class="muted">No logins recorded.</p>`)}
  </details>`;
}

export function Agents() {
  const state = useLoad(() => get('/v1/agents?limit=1000'), [], 10000);
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [shown, setShown] = useState(null);
  const bootstrap = useLoad(bootstrapServers, []);
  const register = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setShown(await post('/v1/agents', { name }));
      setName('');
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const act = (path, keep) => async () => {
    const r = await post(path);
    if (keep && r && r.password) setShown(r);
    state.reload();
  };
  const agents = state.data ? state.data.agents : [];
  return html`<section aria-labelledby="agents-title">
    <h1 id="agents-title">Agents</h1>
    <form class="inline-form" onSubmit=${register} aria-label="Register an agent">
      <${Field} label="Agent name"><input name="agent_name" required value=${name}
        onInput=${(e) => setName(e.target.value)} /><//>
      <button type="submit" class="primary">Register</button>
      <${ErrorBox} error=${error} />
    </form>
    ${shown && html`<${Credentials} agent=${shown} bootstrap=${bootstrap.data || { address: '', protocol: '' }} />`}
    <${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Name</th><th scope="col">Topic</th><th scope="col">State</th>
        <th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
      <tbody>${agents.map((a) => html`<tr>
        <td>${a.name}</td><td><a href=${'#/topics/' + seg(a.topic)}>${a.topic}</a></td><td>${a.state}</td>
        <td class="time">${a.created_at}</td>
        <td><${ActionButton} action=${act(`/v1/agents/${seg(a.id)}/credentials:rotate`, true)}
              label=${'Rotate the credentials of ' + a.name}>Rotate<//>
          ${a.state === 'active'
            ? html`<${ActionButton} action=${act(`/v1/agents/${seg(a.id)}:disable`)}
                label=${'Disable ' + a.name}>Disable<//>`
            : html`<${ActionButton} action=${act(`/v1/agents/${seg(a.id)}:enable`, true)}
                label=${'Enable ' + a.name}>Enable<//>`}
          <${ActionButton} kind="danger" label=${'Delete ' + a.name}
            action=${async () => { await del(`/v1/agents/${seg(a.id)}`); state.reload(); }}>Delete<//>
          <${Logins} agent=${a} />
        </td></tr>`)}</tbody>
    </table>
    ${!agents.length && html`<p class="muted">No agents yet.</p>`}`}
  </section>`;
}
