// One topic: its messages (browse, filter, produce), partitions with their offsets, its
// configs, and deleting it (for those who may).
import { useEffect, useState } from 'preact/hooks';
import { allowed, clusterId, del, get, post, seg } from '../api.js';
import {
  ConfirmDelete, ErrorBox, Field, html, Loading, formatNumber, formatTime, useLoad,
} from '../ui.js';

function Value({ value, format }) {
  if (value === null || value === undefined) return html`<span class="muted">null</span>`;
  if (format === 'json') {
    const text = JSON.stringify(value, null, 2);
    if (text.length < 80 && !text.includes('\n  "')) return html`<code>${JSON.stringify(value)}</code>`;
    const line = JSON.stringify(value);
    return html`<details class="json"><summary><code>${line.length > 80 ? line.slice(0, 80) + '…' : line}</code></summary>
      <pre>${text}</pre></details>`;
  }
  if (format === 'base64') {
    return html`<details><summary><span class="tag">binary</span> <code>${value.slice(0, 60)}</code></summary>
      <pre>${toHex(value)}</pre></details>`;
  }
  return html`<span class="text">${value}</span>`;
}

function toHex(b64) {
  const bytes = atob(b64);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    out += bytes.charCodeAt(i).toString(16).padStart(2, '0') + (i % 16 === 15 ? '\n' : ' ');
  }
  return out;
}

function Records({ records }) {
  if (!records.length) return html`<p class="muted">No records.</p>`;
  return html`<table class="records">
    <thead><tr><th scope="col">Partition</th><th scope="col">Offset</th><th scope="col">Timestamp</th>
      <th scope="col">Key</th><th scope="col">Value</th><th scope="col">Headers</th></tr></thead>
    <tbody>${records.map((r) => html`<tr key=${r.partition + ':' + r.offset}>
      <td class="num">${r.partition}</td><td class="num">${r.offset}</td>
      <td class="time">${formatTime(r.timestamp)}</td>
      <td><${Value} value=${r.key} format=${r.key_format} /></td>
      <td><${Value} value=${r.value} format=${r.value_format} /></td>
      <td>${(r.headers || []).map((hd) => html`<div><code>${hd.key}</code>: <${Value}
        value=${hd.value} format=${hd.value_format} /></div>`)}</td></tr>`)}</tbody>
  </table>`;
}

function Browse({ topic, partitions }) {
  const [q, setQ] = useState({ from: 'end', partition: '', position: '', limit: '50',
    contains: '', json_path: '', equals: '' });
  const [shown, setShown] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setQ({ ...q, [k]: e.target.value });
  const browse = async (e) => {
    if (e) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = new URLSearchParams({ limit: q.limit || '50' });
      if (q.from === 'offset') p.set('offset', q.position);
      else if (q.from === 'timestamp') p.set('timestamp', q.position);
      else p.set('from', q.from);
      if (q.partition !== '') p.set('partition', q.partition);
      if (q.contains) p.set('contains', q.contains);
      if (q.json_path) {
        p.set('json_path', q.json_path);
        p.set('equals', q.equals);
      }
      setShown(await get(`/v1/topics/${seg(topic)}/records?${p}`));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => { browse(); }, [topic]);
  return html`<div>
    <form class="inline-form" onSubmit=${browse} aria-label="Browse records">
      <${Field} label="From"><select value=${q.from} onChange=${set('from')}>
        <option value="end">the end (newest)</option><option value="beginning">the beginning</option>
        <option value="offset">an offset</option><option value="timestamp">a time</option></select><//>
      ${(q.from === 'offset' || q.from === 'timestamp') && html`<${Field}
        label=${q.from === 'offset' ? 'Offset' : 'Time (ISO-8601 or epoch ms)'}>
        <input value=${q.position} onInput=${set('position')} required /><//>`}
      <${Field} label="Partition"><select value=${q.partition} onChange=${set('partition')}>
        <option value="">all</option>
        ${partitions.map((p) => html`<option value=${p}>${p}</option>`)}</select><//>
      <${Field} label="Limit"><input type="number" min="1" max="1000" value=${q.limit}
        onInput=${set('limit')} /><//>
      <${Field} label="Contains"><input name="filter_text" value=${q.contains} onInput=${set('contains')} /><//>
      <${Field} label="JSON path"><input name="filter_path" placeholder="$.user.id" value=${q.json_path}
        onInput=${set('json_path')} /><//>
      <${Field} label="equals"><input name="filter_equals" value=${q.equals} onInput=${set('equals')} /><//>
      <button type="submit" class="primary" disabled=${busy}>Show records</button>
    </form>
    <${ErrorBox} error=${error} />
    ${shown && html`<p class="muted" aria-live="polite">${shown.records.length} records
      (${shown.scanned} scanned${shown.scan_limited ? ', stopped at the read limit: ask again from a later offset' : ''})</p>
      <${Records} records=${shown.records} />`}
  </div>`;
}

function Produce({ topic, partitions, onProduced }) {
  const [f, setF] = useState({ key: '', value: '', headers: '', partition: '' });
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      const body = {};
      if (f.partition !== '') body.partition_id = Number(f.partition);
      if (f.key !== '') body.key = { type: 'STRING', data: f.key };
      let json;
      try {
        json = JSON.parse(f.value);
      } catch {
        json = undefined;
      }
      body.value = json !== undefined ? { type: 'JSON', data: json } : { type: 'STRING', data: f.value };
      const headers = f.headers.split('\n').filter((l) => l.trim()).map((l) => {
        const eq = l.indexOf('=');
        if (eq < 1) throw new Error(`Header line "${l}": write name=value`);
        const bytes = new TextEncoder().encode(l.slice(eq + 1));
        return { name: l.slice(0, eq).trim(), value: btoa(String.fromCharCode(...bytes)) };
      });
      if (headers.length) body.headers = headers;
      const r = await post(`/v3/clusters/${await clusterId()}/topics/${seg(topic)}/records`, body);
      setResult(r);
      onProduced();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="produce"><summary>Produce a record</summary>
    <form onSubmit=${submit} aria-label="Produce a record">
    <${Field} label="Key (empty: none)"><input name="key" value=${f.key} onInput=${set('key')} /><//>
    <${Field} label="Value (JSON or text)"><textarea name="value" rows="4" value=${f.value}
      onInput=${set('value')} /><//>
    <${Field} label="Headers (one name=value per line)"><textarea name="headers" rows="2"
      value=${f.headers} onInput=${set('headers')} /><//>
    <${Field} label="Partition"><select name="partition" value=${f.partition} onChange=${set('partition')}>
      <option value="">by key (or any)</option>
      ${partitions.map((p) => html`<option value=${p}>${p}</option>`)}</select><//>
    <button type="submit" class="primary">Produce</button>
    <${ErrorBox} error=${error} />
    ${result && html`<p class="ok" role="status">Written to partition ${result.partition_id} at offset ${result.offset}.</p>`}
  </form></details>`;
}

async function loadPartitions(topic) {
  const id = await clusterId();
  const parts = (await get(`/v3/clusters/${id}/topics/${seg(topic)}/partitions`)).data;
  const shown = parts.slice(0, 200);
  const offsets = await Promise.all(shown.map((p) =>
    get(`/topics/${seg(topic)}/partitions/${p.partition_id}/offsets`).catch(() => null)));
  return shown.map((p, i) => ({ partition: p.partition_id, ...(offsets[i] || {}) }));
}

function Partitions({ topic }) {
  const state = useLoad(() => loadPartitions(topic), [topic], 10000);
  return html`<div><${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Partition</th><th scope="col">Start offset</th>
        <th scope="col">End offset</th><th scope="col">Records</th></tr></thead>
      <tbody>${state.data.map((p) => html`<tr><td class="num">${p.partition}</td>
        <td class="num">${formatNumber(p.beginning_offset)}</td><td class="num">${formatNumber(p.end_offset)}</td>
        <td class="num">${formatNumber(p.end_offset - p.beginning_offset)}</td></tr>`)}</tbody>
    </table>`}</div>`;
}

function Configs({ topic }) {
  const state = useLoad(async () =>
    (await get(`/v3/clusters/${await clusterId()}/topics/${seg(topic)}/configs`)).data, [topic]);
  return html`<div><${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Config</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead>
      <tbody>${state.data.map((c) => html`<tr class=${c.is_default ? 'muted' : ''}>
        <td><code>${c.name}</code></td><td>${c.value}</td><td>${c.source}</td></tr>`)}</tbody>
    </table>`}</div>`;
}

const tabs = [['messages', 'Messages'], ['partitions', 'Partitions'], ['configs', 'Configs']];

export function Topic({ name, tab }) {
  tab = tab || 'messages';
  const info = useLoad(async () =>
    get(`/v3/clusters/${await clusterId()}/topics/${seg(name)}`), [name]);
  const [mayDelete, setMayDelete] = useState(false);
  const [mayWrite, setMayWrite] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    allowed([
      { operation: 'DELETE', resource_type: 'TOPIC', resource_name: name },
      { operation: 'WRITE', resource_type: 'TOPIC', resource_name: name },
    ]).then(([d, w]) => { setMayDelete(d); setMayWrite(w); }, () => {});
  }, [name]);
  const partitions = info.data ? [...Array(info.data.partitions_count).keys()] : [];
  const remove = async () => {
    await del(`/v3/clusters/${await clusterId()}/topics/${seg(name)}`);
    location.hash = '#/topics';
  };
  return html`<section aria-labelledby="topic-title">
    <p><a href="#/topics">Topics</a> /</p>
    <h1 id="topic-title" class="name">${name}</h1>
    <${Loading} state=${info} />
    ${info.data && html`<p class="muted">${info.data.partitions_count} partitions${info.data.is_internal ? ', internal' : ''}</p>`}
    ${mayDelete && html`<${ConfirmDelete} what="topic" name=${name} onConfirm=${remove} />`}
    <nav class="tabs" aria-label="Topic views">${tabs.map(([id, title]) => html`<a
      href=${'#/topics/' + seg(name) + '/' + id} aria-current=${tab === id ? 'page' : undefined}>${title}</a>`)}</nav>
    ${tab === 'messages' && info.data && html`<div>
      ${mayWrite && html`<${Produce} topic=${name} partitions=${partitions}
        onProduced=${() => setGeneration(generation + 1)} />`}
      <${Browse} key=${generation} topic=${name} partitions=${partitions} /></div>`}
    ${tab === 'partitions' && html`<${Partitions} topic=${name} />`}
    ${tab === 'configs' && html`<${Configs} topic=${name} />`}
  </section>`;
}
