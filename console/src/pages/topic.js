// One topic: its messages (browse, filter, produce), partitions with their offsets, its
// configs, and deleting it (for those who may).
import { useEffect, useRef, useState } from 'preact/hooks';
import { allowed, clusterId, del, get, post, seg } from '../api.js';
import { TimeChart, downloadCsv, downloadPng } from '../chart.js';
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

// New records as the server pushes them (GET /v1/topics/{topic}/live, Server-Sent Events).
// Events are buffered and drawn at most once per animation frame, newest first, the last
// `keep` shown: a topic taking thousands of records a second does not freeze the page.
function LiveTail({ topic, partitions }) {
  const keep = 200;
  const [filters, setFilters] = useState({ partition: '', contains: '', json_path: '', equals: '' });
  const [applied, setApplied] = useState(filters);
  const [rows, setRows] = useState([]);
  const [counts, setCounts] = useState({ received: 0, skipped: 0 });
  const [status, setStatus] = useState('connecting');
  const [paused, setPaused] = useState(false);
  const pending = useRef([]);
  const totals = useRef({ received: 0, skipped: 0 });
  const pausedRef = useRef(false);
  pausedRef.current = paused;
  useEffect(() => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(applied)) if (v !== '') p.set(k, v);
    if (!applied.json_path) {
      p.delete('json_path');
      p.delete('equals');
    }
    totals.current = { received: 0, skipped: 0 };
    pending.current = [];
    setRows([]);
    setStatus('connecting');
    const source = new EventSource(`/v1/topics/${seg(topic)}/live?${p}`);
    let frame = 0;
    const draw = () => {
      frame = 0;
      setCounts({ ...totals.current });
      if (pausedRef.current || !pending.current.length) return;
      const fresh = pending.current.reverse();
      pending.current = [];
      setRows((old) => fresh.concat(old).slice(0, keep));
    };
    const later = () => { if (!frame) frame = requestAnimationFrame(draw); };
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    source.addEventListener('records', (e) => {
      const records = JSON.parse(e.data);
      totals.current.received += records.length;
      pending.current.push(...records);
      if (pending.current.length > keep) pending.current.splice(0, pending.current.length - keep);
      later();
    });
    source.addEventListener('skipped', (e) => {
      totals.current.skipped += JSON.parse(e.data).records;
      later();
    });
    return () => {
      source.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [topic, applied]);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });
  return html`<div>
    <form class="inline-form" aria-label="Live tail filters"
      onSubmit=${(e) => { e.preventDefault(); setApplied(filters); }}>
      <${Field} label="Partition"><select value=${filters.partition} onChange=${set('partition')}>
        <option value="">all</option>
        ${partitions.map((p) => html`<option value=${p}>${p}</option>`)}</select><//>
      <${Field} label="Contains"><input name="filter_text" value=${filters.contains} onInput=${set('contains')} /><//>
      <${Field} label="JSON path"><input name="filter_path" placeholder="$.user.id" value=${filters.json_path}
        onInput=${set('json_path')} /><//>
      <${Field} label="equals"><input name="filter_equals" value=${filters.equals} onInput=${set('equals')} /><//>
      <button type="submit" class="primary">Apply</button>
      <button type="button" onClick=${() => setPaused(!paused)} aria-pressed=${paused}>
        ${paused ? 'Resume' : 'Pause'}</button>
    </form>
    <p class="muted" aria-live="polite"><span class=${'live-status ' + status}>${status}</span>:
      <span class="live-received">${counts.received}</span> records received${counts.skipped
        ? `, ${counts.skipped} skipped (the page fell behind)` : ''}; the newest ${keep} shown</p>
    <${Records} records=${rows} />
  </div>`;
}

function summary(r) {
  const width = r.bucket_ms >= 1000 ? `${r.bucket_ms / 1000} s` : `${r.bucket_ms} ms`;
  let text = `${r.matched} records in ${r.times.length} buckets of ${width} (${r.scanned} scanned in ${r.elapsed_ms} ms`;
  if (r.missing_field) text += `, ${r.missing_field} without the field`;
  if (r.scan_limited) text += ', stopped at the read limit';
  return text + ')';
}

// Records over time, aggregated on the server (GET /v1/topics/{topic}/chart): records per
// bucket, or a JSON field counted by value, or its sum/avg/min/max; exported as CSV or PNG.
function Charts({ topic }) {
  const iso = (ms) => new Date(ms).toISOString();
  const [q, setQ] = useState(() => ({ from: iso(Date.now() - 3600000), to: iso(Date.now() + 60000),
    buckets: '60', field: '', agg: 'count', top: '10' }));
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const figure = useRef(null);
  const set = (k) => (e) => setQ({ ...q, [k]: e.target.value });
  const draw = async (e) => {
    if (e) e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const p = new URLSearchParams({ from: q.from, to: q.to, buckets: q.buckets, agg: q.agg, top: q.top });
      if (q.field) p.set('field', q.field);
      setResult(await get(`/v1/topics/${seg(topic)}/chart?${p}`));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => { draw(); }, [topic]);
  const csv = () => downloadCsv([['time', ...result.series.map((s) => s.name)],
    ...result.times.map((t, i) => [new Date(t).toISOString(), ...result.series.map((s) => s.values[i])])],
  `${topic}-chart.csv`);
  return html`<div>
    <form class="inline-form" onSubmit=${draw} aria-label="Chart settings">
      <${Field} label="From"><input name="chart_from" value=${q.from} onInput=${set('from')} /><//>
      <${Field} label="To"><input name="chart_to" value=${q.to} onInput=${set('to')} /><//>
      <${Field} label="Buckets"><input name="chart_buckets" type="number" min="1" max="1000"
        value=${q.buckets} onInput=${set('buckets')} /><//>
      <${Field} label="Field (JSON path; empty: records)"><input name="chart_field" placeholder="$.event"
        value=${q.field} onInput=${set('field')} /><//>
      <${Field} label="Aggregate"><select name="chart_agg" value=${q.agg} onChange=${set('agg')}>
        <option value="count">count (by value)</option><option value="sum">sum</option>
        <option value="avg">average</option><option value="min">minimum</option>
        <option value="max">maximum</option></select><//>
      <${Field} label="Top values"><input name="chart_top" type="number" min="1" max="50"
        value=${q.top} onInput=${set('top')} /><//>
      <button type="submit" class="primary" disabled=${busy}>Draw</button>
    </form>
    <${ErrorBox} error=${error} />
    ${result && html`<div ref=${figure}>
      <p class="muted chart-summary">${summary(result)}</p>
      <${TimeChart} bars=${result.agg === 'count'} label=${result.field
        ? `${result.agg} of ${result.field} per bucket` : 'Records per bucket'}
        times=${result.times.map((t) => t / 1000)} series=${result.series} />
      <button type="button" onClick=${csv}>Export CSV</button>
      <button type="button" onClick=${() => downloadPng(figure.current, `${topic}-chart.png`)}>Export PNG</button>
      <table class="chart-totals"><thead><tr><th scope="col">Series</th><th scope="col">Total</th></tr></thead>
        <tbody>${result.series.map((s) => html`<tr><td>${s.name}</td><td class="num">${
          result.agg === 'count' ? formatNumber(s.values.reduce((a, v) => a + (v || 0), 0)) : '–'}</td></tr>`)}</tbody>
      </table></div>`}
  </div>`;
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

// One config's value, editable by those who may alter the topic's configs.
function ConfigValue({ topic, config, editable, onSaved }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(config.value || '');
  const [error, setError] = useState(null);
  if (!editing) {
    return html`<span>${config.value}</span>
      ${editable && !config.is_read_only && html` <button type="button" class="small"
        aria-label=${'Edit ' + config.name} onClick=${() => setEditing(true)}>Edit</button>`}`;
  }
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/v3/clusters/${await clusterId()}/topics/${seg(topic)}/configs:alter`,
        { data: [{ name: config.name, value }] });
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="config-edit" onSubmit=${save} aria-label=${'Edit ' + config.name}>
    <input name="config_value" aria-label=${config.name} value=${value}
      onInput=${(e) => setValue(e.target.value)} />
    <button type="submit" class="primary">Save</button>
    <button type="button" onClick=${() => setEditing(false)}>Cancel</button>
    <${ErrorBox} error=${error} /></form>`;
}

function Configs({ topic }) {
  const state = useLoad(async () =>
    (await get(`/v3/clusters/${await clusterId()}/topics/${seg(topic)}/configs`)).data, [topic]);
  const [editable, setEditable] = useState(false);
  useEffect(() => {
    allowed([{ operation: 'ALTER_CONFIGS', resource_type: 'TOPIC', resource_name: topic }])
      .then(([may]) => setEditable(may), () => {});
  }, [topic]);
  return html`<div><${Loading} state=${state} />
    ${state.data && html`<table class="configs">
      <thead><tr><th scope="col">Config</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead>
      <tbody>${state.data.map((c) => html`<tr class=${c.is_default ? 'muted' : ''}>
        <td><code>${c.name}</code></td>
        <td><${ConfigValue} topic=${topic} config=${c} editable=${editable} onSaved=${state.reload} /></td>
        <td>${c.source}</td></tr>`)}</tbody>
    </table>`}</div>`;
}

// The consumer groups that committed offsets in the topic, with their lag in it (each
// group's /v1/groups/{g}/lag; the first 100 groups the caller may describe).
async function loadConsumers(topic) {
  const groups = (await get('/v1/groups')).groups.slice(0, 100);
  const lags = await Promise.all(groups.map((g) =>
    get(`/v1/groups/${seg(g.group)}/lag`).catch(() => null)));
  const out = [];
  groups.forEach((g, i) => {
    const parts = lags[i] ? lags[i].partitions.filter((p) => p.topic === topic) : [];
    if (!parts.length) return;
    out.push({ group: g.group, state: g.state, partitions: parts.length,
      lag: parts.reduce((n, p) => n + (p.lag || 0), 0),
      seconds: Math.max(0, ...parts.map((p) => p.lag_seconds || 0)) });
  });
  return out;
}

function Consumers({ topic }) {
  const state = useLoad(() => loadConsumers(topic), [topic], 10000);
  return html`<div><${Loading} state=${state} />
    ${state.data && (state.data.length ? html`<table class="consumers">
      <thead><tr><th scope="col">Group</th><th scope="col">State</th><th scope="col">Partitions</th>
        <th scope="col">Lag</th><th scope="col">Lag (s)</th></tr></thead>
      <tbody>${state.data.map((c) => html`<tr><td><a href=${'#/groups/' + seg(c.group)}>${c.group}</a></td>
        <td>${c.state}</td><td class="num">${c.partitions}</td><td class="num">${formatNumber(c.lag)}</td>
        <td class="num">${c.seconds.toFixed(1)}</td></tr>`)}</tbody>
    </table>` : html`<p class="muted">No consumer group has committed offsets in this topic.</p>`)}</div>`;
}

const tabs = [['messages', 'Messages'], ['live', 'Live tail'], ['charts', 'Charts'],
  ['consumers', 'Consumers'], ['partitions', 'Partitions'], ['configs', 'Configs']];

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
    ${tab === 'live' && info.data && html`<${LiveTail} topic=${name} partitions=${partitions} />`}
    ${tab === 'charts' && html`<${Charts} topic=${name} />`}
    ${tab === 'consumers' && html`<${Consumers} topic=${name} />`}
    ${tab === 'partitions' && html`<${Partitions} topic=${name} />`}
    ${tab === 'configs' && html`<${Configs} topic=${name} />`}
  </section>`;
}
