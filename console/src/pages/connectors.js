// Connectors (Kafka Connect's REST API): each with its state and last error; pause,
// resume, restart, delete; a form per connector type to create one (doc/connect.md).
import { useState } from 'preact/hooks';
import { del, get, post, put, seg } from '../api.js';
import { ActionButton, ErrorBox, Field, html, Loading, useLoad } from '../ui.js';

// Each type's connector.class and the settings its form asks for: [key, label, default].
const types = {
  file: ['FileStreamSink', 'File sink', [['topics', 'Topics (comma-separated)', ''],
    ['file', 'File path', ''], ['format', 'Format (text, json, csv)', 'json'],
    ['csv.columns', 'CSV columns (csv only)', '']]],
  s3: ['io.confluent.connect.s3.S3SinkConnector', 'S3 sink', [['topics', 'Topics', ''],
    ['s3.bucket.name', 'Bucket', ''], ['store.url', 'Endpoint URL (empty: AWS)', ''],
    ['s3.region', 'Region', 'us-east-1'], ['flush.size', 'Records per object', '1000'],
    ['format.class', 'Format class', 'io.confluent.connect.s3.format.json.JsonFormat']]],
  jdbc: ['io.confluent.connect.jdbc.JdbcSinkConnector', 'PostgreSQL sink', [['topics', 'Topics', ''],
    ['connection.url', 'Connection URL (jdbc:postgresql://host:5432/db)', ''],
    ['connection.user', 'User', ''], ['connection.password', 'Password', ''],
    ['insert.mode', 'Insert mode (insert, upsert)', 'insert'], ['pk.mode', 'Primary key mode', 'none'],
    ['auto.create', 'Create the table (true, false)', 'true']]],
  datagen: ['io.confluent.kafka.connect.datagen.DatagenConnector', 'Datagen source', [
    ['kafka.topic', 'Topic', ''], ['quickstart', 'Quickstart (users, pageviews, orders, ...)', 'users'],
    ['max.interval', 'Max interval (ms)', '1000'], ['iterations', 'Records (-1: no end)', '-1']]],
};

function CreateConnector({ onCreated }) {
  const [type, setType] = useState('file');
  const [name, setName] = useState('');
  const [values, setValues] = useState({});
  const [extra, setExtra] = useState('');
  const [principal, setPrincipal] = useState('');
  const [error, setError] = useState(null);
  const [cls, title, fields] = types[type];
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const config = { 'connector.class': cls };
      for (const [key, , def] of fields) {
        const v = values[type + ':' + key] ?? def;
        if (v !== '') config[key] = v;
      }
      if (principal.trim()) config.principal = principal.trim();
      for (const line of extra.split('\n').filter((l) => l.trim())) {
        const eq = line.indexOf('=');
        if (eq < 1) throw new Error(`Setting line "${line}": write key=value`);
        config[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      }
      await post('/connectors', { name, config });
      setName('');
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="produce"><summary>Create a connector</summary>
    <form onSubmit=${submit} aria-label="Create a connector">
      <${Field} label="Type"><select name="type" value=${type} onChange=${(e) => setType(e.target.value)}>
        ${Object.entries(types).map(([id, [, t]]) => html`<option value=${id}>${t}</option>`)}</select><//>
      <${Field} label="Connector name"><input name="connector" required value=${name}
        onInput=${(e) => setName(e.target.value)} /><//>
      <fieldset><legend>${title}</legend>
        ${fields.map(([key, label, def]) => html`<${Field} label=${label}><input name=${key}
          value=${values[type + ':' + key] ?? def}
          onInput=${(e) => setValues({ ...values, [type + ':' + key]: e.target.value })} /><//>`)}
      </fieldset>
      <${Field} label="Acts as (a principal; empty: User:connector-NAME, which needs ACLs)"><input
        name="principal" value=${principal} onInput=${(e) => setPrincipal(e.target.value)} /><//>
      <${Field} label="Other settings (one key=value per line)"><textarea name="extra" rows="2"
        value=${extra} onInput=${(e) => setExtra(e.target.value)} /><//>
      <button type="submit" class="primary">Create connector</button>
      <${ErrorBox} error=${error} />
    </form></details>`;
}

// Each connector with its status and, for a sink, the lag of its group connect-<name>.
async function load() {
  const r = await get('/connectors?expand=status');
  const list = Object.entries(r).map(([name, v]) => ({ name, ...v.status }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const lags = await Promise.all(list.map((c) => (c.type === 'source' ? null
    : get(`/v1/groups/${seg('connect-' + c.name)}/lag`).catch(() => null))));
  return list.map((c, i) => ({ ...c, lag: lags[i] ? lags[i].total_lag : null }));
}

export function Connectors() {
  const state = useLoad(load, [], 5000);
  const act = (f) => async () => { await f(); state.reload(); };
  return html`<section aria-labelledby="connectors-title">
    <h1 id="connectors-title">Connectors</h1>
    <${CreateConnector} onCreated=${state.reload} />
    <${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">State</th>
        <th scope="col">Lag</th><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead>
      <tbody>${state.data.map((c) => {
        const tasks = c.tasks || [];
        const err = tasks.map((t) => t.trace).filter(Boolean)[0] || (c.connector && c.connector.trace);
        return html`<tr><td>${c.name}</td><td>${c.type || '–'}</td>
          <td class="connector-state">${c.connector ? c.connector.state : '–'}</td>
          <td class="num connector-lag">${c.lag === null ? '–' : c.lag}</td>
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
