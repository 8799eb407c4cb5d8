// Consumer groups: the list with states, and one group's members, assignment and lag per
// partition (in records and seconds); deleting an empty group.
import { useEffect, useRef, useState } from 'preact/hooks';
import { allowed, del, get, post, seg } from '../api.js';
import { ConfirmDelete, ErrorBox, Field, html, Loading, formatNumber, useLoad } from '../ui.js';

// A small line of the last values (lag over the page's refreshes), as SVG.
function Sparkline({ values, label }) {
  if (values.length < 2) return html`<span class="muted">–</span>`;
  const w = 90;
  const h = 18;
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / (values.length - 1)) * w},${h - (v / max) * (h - 2) - 1}`).join(' ');
  return html`<svg class="sparkline" width=${w} height=${h} viewBox=${`0 0 ${w} ${h}`} role="img"
    aria-label=${label}><polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" /></svg>`;
}

// Commits new positions for an empty group (POST /v1/groups/{g}/offsets:reset).
function ResetOffsets({ group, topics, onDone }) {
  const [f, setF] = useState({ topic: topics[0] || '', to: 'earliest', position: '' });
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const body = { topic: f.topic, to: f.to };
      if (f.to === 'offset') body.offset = Number(f.position);
      if (f.to === 'timestamp') body.timestamp = f.position;
      const r = await post(`/v1/groups/${seg(group)}/offsets:reset`, body);
      setDone(r.offsets.map((o) => `${o.partition}: ${o.offset}`).join(', '));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<details class="produce"><summary>Reset offsets</summary>
    <form onSubmit=${submit} aria-label="Reset offsets">
      <${Field} label="Topic"><input name="reset_topic" required value=${f.topic} onInput=${set('topic')} /><//>
      <${Field} label="To"><select name="reset_to" value=${f.to} onChange=${set('to')}>
        <option value="earliest">the earliest offset</option><option value="latest">the latest offset</option>
        <option value="offset">an offset</option><option value="timestamp">a time</option></select><//>
      ${(f.to === 'offset' || f.to === 'timestamp') && html`<${Field}
        label=${f.to === 'offset' ? 'Offset' : 'Time (ISO-8601 or epoch ms)'}>
        <input name="reset_position" required value=${f.position} onInput=${set('position')} /><//>`}
      <button type="submit" class="primary">Reset</button>
      <${ErrorBox} error=${error} />
      ${done && html`<p class="ok" role="status">Committed: ${done}</p>`}
    </form></details>`;
}

export function Groups() {
  const state = useLoad(() => get('/v1/groups'), [], 5000);
  const groups = state.data ? state.data.groups : [];
  return html`<section aria-labelledby="groups-title">
    <h1 id="groups-title">Consumer groups</h1>
    <${Loading} state=${state} />
    ${state.data && html`<table>
      <thead><tr><th scope="col">Group</th><th scope="col">State</th><th scope="col">Protocol</th></tr></thead>
      <tbody>${groups.map((g) => html`<tr><td><a href=${'#/groups/' + seg(g.group)}>${g.group}</a></td>
        <td>${g.state}</td><td>${g.protocol_type || '–'}</td></tr>`)}</tbody>
    </table>
    ${!groups.length && html`<p class="muted">No consumer groups yet.</p>`}`}
  </section>`;
}

export function Group({ name }) {
  const info = useLoad(() => get(`/v1/groups/${seg(name)}`), [name], 5000);
  const lag = useLoad(() => get(`/v1/groups/${seg(name)}/lag`), [name], 5000);
  // Each partition's lag over the page's refreshes (the last 30), for the sparklines.
  const history = useRef({});
  if (lag.data) {
    for (const p of lag.data.partitions) {
      const k = p.topic + ':' + p.partition;
      const h = history.current[k] || (history.current[k] = { at: null, values: [] });
      if (h.at !== lag.data) {
        h.at = lag.data;
        h.values = h.values.concat([p.lag || 0]).slice(-30);
      }
    }
  }
  const [mayDelete, setMayDelete] = useState(false);
  useEffect(() => {
    allowed([{ operation: 'DELETE', resource_type: 'GROUP', resource_name: name }])
      .then(([d]) => setMayDelete(d), () => {});
  }, [name]);
  const owner = {};
  for (const m of (info.data && info.data.members) || []) {
    for (const a of m.assignment) owner[a.topic + ':' + a.partition] = m.client_id || m.member_id;
  }
  const remove = async () => {
    await del(`/v1/groups/${seg(name)}`);
    location.hash = '#/groups';
  };
  return html`<section aria-labelledby="group-title">
    <p><a href="#/groups">Consumer groups</a> /</p>
    <h1 id="group-title" class="name">${name}</h1>
    <${Loading} state=${info} />
    ${info.data && html`<p>State: <strong class="group-state">${info.data.state}</strong>${
      `, ${info.data.members.length} members${info.data.protocol ? ', assignor ' + info.data.protocol : ''}`}</p>`}
    ${mayDelete && info.data && info.data.state === 'Empty' &&
      html`<${ConfirmDelete} what="group" name=${name} onConfirm=${remove} />`}
    ${info.data && info.data.state === 'Empty' && lag.data && html`<${ResetOffsets} group=${name}
      topics=${[...new Set(lag.data.partitions.map((p) => p.topic))]} onDone=${lag.reload} />`}
    <h2>Lag</h2>
    <${Loading} state=${lag} />
    ${lag.data && html`<p>Total lag: <strong class="total-lag">${formatNumber(lag.data.total_lag)}</strong> records,
      at most ${lag.data.max_lag_seconds.toFixed(1)} s behind</p>
      <table class="lag">
        <thead><tr><th scope="col">Topic</th><th scope="col">Partition</th><th scope="col">Committed</th>
          <th scope="col">End</th><th scope="col">Lag</th><th scope="col">Lag (s)</th><th scope="col">Trend</th><th scope="col">Member</th></tr></thead>
        <tbody>${lag.data.partitions.map((p) => html`<tr>
          <td>${p.topic}</td><td class="num">${p.partition}</td><td class="num">${formatNumber(p.committed_offset)}</td>
          <td class="num">${formatNumber(p.log_end_offset)}</td><td class="num">${formatNumber(p.lag)}</td>
          <td class="num">${p.lag_seconds === null ? '–' : p.lag_seconds.toFixed(1)}</td>
          <td><${Sparkline} values=${(history.current[p.topic + ':' + p.partition] || { values: [] }).values}
            label=${`lag of ${p.topic} partition ${p.partition} over the last refreshes`} /></td>
          <td>${owner[p.topic + ':' + p.partition] || '–'}</td></tr>`)}</tbody>
      </table>`}
  </section>`;
}
