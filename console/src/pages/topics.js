// Topics: the list, and a form to create one (shown to those who may create topics).
import { useEffect, useState } from 'preact/hooks';
import { allowed, clusterId, get, post, seg } from '../api.js';
import { ErrorBox, Field, formatBytes, formatNumber, html, Loading, useLoad } from '../ui.js';

const load = async () => (await get('/v1/topics')).topics;

function retention(ms) {
  if (ms < 0) return 'forever';
  if (ms % 86400000 === 0) return `${ms / 86400000} d`;
  if (ms % 3600000 === 0) return `${ms / 3600000} h`;
  return `${ms} ms`;
}

function CreateTopic({ onCreated }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [retention, setRetention] = useState('');
  const [cleanup, setCleanup] = useState('delete');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const configs = [{ name: 'cleanup.policy', value: cleanup }];
      if (retention.trim()) configs.push({ name: 'retention.ms', value: retention.trim() });
      await post(`/v3/clusters/${await clusterId()}/topics`, {
        topic_name: name, partitions_count: Number(partitions), configs,
      });
      onCreated(name);
      setName('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="inline-form" onSubmit=${submit} aria-label="Create a topic">
    <h2>Create a topic</h2>
    <${Field} label="Name"><input name="topic" required maxlength="249" value=${name}
      onInput=${(e) => setName(e.target.value)} /><//>
    <${Field} label="Partitions"><input name="partitions" type="number" min="1" max="10000"
      required value=${partitions} onInput=${(e) => setPartitions(e.target.value)} /><//>
    <${Field} label="Retention (ms, empty: the default)"><input name="retention" inputmode="numeric"
      value=${retention} onInput=${(e) => setRetention(e.target.value)} /><//>
    <${Field} label="Cleanup policy"><select name="cleanup" value=${cleanup}
      onChange=${(e) => setCleanup(e.target.value)}>
      <option value="delete">delete</option><option value="compact">compact</option>
      <option value="compact,delete">compact,delete</option></select><//>
    <button type="submit" class="primary" disabled=${busy}>Create</button>
    <${ErrorBox} error=${error} />
  </form>`;
}

export function Topics() {
  const state = useLoad(load, [], 10000);
  const [filter, setFilter] = useState('');
  const [mayCreate, setMayCreate] = useState(false);
  const [showInternal, setShowInternal] = useState(false);
  useEffect(() => {
    allowed([{ operation: 'CREATE', resource_type: 'TOPIC', resource_name: '*' }])
      .then(([may]) => setMayCreate(may), () => setMayCreate(false));
  }, []);
  const topics = (state.data || []).filter(
    (t) => (showInternal || !t.internal) && t.name.includes(filter));
  return html`<section aria-labelledby="topics-title">
    <h1 id="topics-title">Topics</h1>
    ${mayCreate && html`<${CreateTopic} onCreated=${(n) => { location.hash = '#/topics/' + seg(n); }} />`}
    <div class="toolbar">
      <${Field} label="Filter"><input type="search" value=${filter}
        onInput=${(e) => setFilter(e.target.value)} /><//>
      <label class="check"><input type="checkbox" checked=${showInternal}
        onChange=${(e) => setShowInternal(e.target.checked)} /> Internal topics</label>
    </div>
    <${Loading} state=${state} />
    ${state.data && html`<table class="topics">
      <thead><tr><th scope="col">Topic</th><th scope="col">Partitions</th><th scope="col">Records</th>
        <th scope="col">Size</th><th scope="col">In (records/s)</th><th scope="col">Out (bytes/s)</th>
        <th scope="col">Retention</th><th scope="col">Cleanup</th></tr></thead>
      <tbody>${topics.map((t) => html`<tr>
        <td><a href=${'#/topics/' + seg(t.name)}>${t.name}</a></td>
        <td class="num">${formatNumber(t.partitions)}</td>
        <td class="num">${formatNumber(t.records)}</td>
        <td class="num">${formatBytes(t.size_bytes)}</td>
        <td class="num">${formatNumber(Math.round(t.rates.records_in))}</td>
        <td class="num">${formatBytes(Math.round(t.rates.bytes_out))}</td>
        <td>${retention(t.retention_ms)}</td><td>${t.cleanup_policy}</td></tr>`)}</tbody>
    </table>
    ${!topics.length && html`<p class="muted">No topics${filter ? ' match' : ' yet'}.</p>`}`}
  </section>`;
}
