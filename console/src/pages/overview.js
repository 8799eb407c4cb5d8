// Overview: health, the broker's listeners, the disk, counts, and the throughput in and
// out as a live chart (GET /v1/overview every 5 s).
import { get } from '../api.js';
import { TimeChart } from '../chart.js';
import { formatBytes, formatNumber, formatTime, html, Loading, useLoad } from '../ui.js';

async function load() {
  const [overview, groups, ready] = await Promise.all([
    get('/v1/overview'),
    get('/v1/groups'),
    fetch('/readyz').then(async (r) => ({ ok: r.ok, body: await r.json().catch(() => ({})) })),
  ]);
  return { ...overview, groups: groups.groups.length, ready };
}

export function Overview() {
  const state = useLoad(load, [], 5000);
  const d = state.data;
  const history = d ? d.throughput.history : [];
  const times = history.map((h) => h.at / 1000);
  const series = [
    { label: 'bytes in/s', values: history.map((h) => h.rates.bytes_in) },
    { label: 'bytes out/s', values: history.map((h) => h.rates.bytes_out) },
  ];
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview</h1>
    <${Loading} state=${state} />
    ${d && html`
      <div class="cards">
        <div class="card"><h2>Health</h2>
          <p class=${d.ready.ok ? 'ok' : 'bad'}>${d.ready.ok ? 'Ready' : d.ready.body.message || 'Not ready'}</p>
          <p class="muted">Brook ${d.version}, up since ${formatTime(Date.parse(d.started_at))}</p></div>
        <div class="card"><h2>Topics</h2><p class="big">${formatNumber(d.topics)}</p>
          <p class="muted">${formatNumber(d.partitions)} partitions, ${d.internal_topics} internal topics</p></div>
        <div class="card"><h2>Consumer groups</h2><p class="big">${formatNumber(d.groups)}</p></div>
        <div class="card"><h2>Throughput</h2>
          <p>In: <strong class="rate-in">${formatBytes(Math.round(d.throughput.rates.bytes_in))}/s</strong>,
            ${formatNumber(Math.round(d.throughput.rates.records_in))} records/s</p>
          <p>Out: <strong>${formatBytes(Math.round(d.throughput.rates.bytes_out))}/s</strong></p></div>
        ${d.disk && html`<div class="card"><h2>Disk</h2>
          <p><strong>${formatBytes(d.disk.free_bytes)}</strong> free of ${formatBytes(d.disk.total_bytes)}</p>
          <p class="muted">Logs: ${formatBytes(d.disk.log_bytes)} in <code>${d.disk.data_dir}</code></p></div>`}
      </div>
      <${TimeChart} label="Throughput (bytes per second, sampled every 5 s)" times=${times} series=${series} />
      <h2>Listeners</h2>
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Security</th><th scope="col">Address</th>
          <th scope="col">Advertised</th></tr></thead>
        <tbody>${d.listeners.map((l) => html`<tr><td>${l.name}</td><td>${l.security_protocol}</td>
          <td><code>${l.host}:${l.port}</code></td><td><code>${l.advertised_host}:${l.advertised_port}</code></td></tr>`)}</tbody>
      </table>`}
  </section>`;
}
