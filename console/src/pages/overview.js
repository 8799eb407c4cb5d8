// Overview: the broker, its listeners, counts of topics, partitions and groups, and health.
import { clusterId, get } from '../api.js';
import { html, Loading, formatNumber } from '../ui.js';
import { useLoad } from '../ui.js';

async function load() {
  const id = await clusterId();
  const [brokers, topics, groups, ready] = await Promise.all([
    get(`/v3/clusters/${id}/brokers`),
    get(`/v3/clusters/${id}/topics`),
    get('/v1/groups'),
    fetch('/readyz').then(async (r) => ({ ok: r.ok, body: await r.json().catch(() => ({})) })),
  ]);
  const visible = topics.data.filter((t) => !t.is_internal);
  return {
    id,
    brokers: brokers.data,
    topics: visible.length,
    internal: topics.data.length - visible.length,
    partitions: visible.reduce((n, t) => n + t.partitions_count, 0),
    groups: groups.groups.length,
    ready,
  };
}

export function Overview() {
  const state = useLoad(load, [], 5000);
  const d = state.data;
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview</h1>
    <${Loading} state=${state} />
    ${d && html`
      <div class="cards">
        <div class="card"><h2>Health</h2>
          <p class=${d.ready.ok ? 'ok' : 'bad'}>${d.ready.ok ? 'Ready' : d.ready.body.message || 'Not ready'}</p></div>
        <div class="card"><h2>Topics</h2><p class="big">${formatNumber(d.topics)}</p>
          <p class="muted">${formatNumber(d.partitions)} partitions, ${d.internal} internal topics</p></div>
        <div class="card"><h2>Consumer groups</h2><p class="big">${formatNumber(d.groups)}</p></div>
        <div class="card"><h2>Cluster</h2><p><code>${d.id}</code></p></div>
      </div>
      <h2>Brokers</h2>
      <table>
        <thead><tr><th scope="col">Id</th><th scope="col">Host</th><th scope="col">Port</th></tr></thead>
        <tbody>${d.brokers.map((b) => html`<tr><td>${b.broker_id}</td><td>${b.host}</td><td>${b.port}</td></tr>`)}</tbody>
      </table>`}
  </section>`;
}
