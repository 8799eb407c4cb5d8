// Consumer groups: the list with states, and one group's members, assignment and lag per
// partition (in records and seconds); deleting an empty group.
import { useEffect, useState } from 'preact/hooks';
import { allowed, del, get, seg } from '../api.js';
import { ConfirmDelete, html, Loading, formatNumber, useLoad } from '../ui.js';

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
    <h2>Lag</h2>
    <${Loading} state=${lag} />
    ${lag.data && html`<p>Total lag: <strong class="total-lag">${formatNumber(lag.data.total_lag)}</strong> records,
      at most ${lag.data.max_lag_seconds.toFixed(1)} s behind</p>
      <table class="lag">
        <thead><tr><th scope="col">Topic</th><th scope="col">Partition</th><th scope="col">Committed</th>
          <th scope="col">End</th><th scope="col">Lag</th><th scope="col">Lag (s)</th><th scope="col">Member</th></tr></thead>
        <tbody>${lag.data.partitions.map((p) => html`<tr>
          <td>${p.topic}</td><td class="num">${p.partition}</td><td class="num">${formatNumber(p.committed_offset)}</td>
          <td class="num">${formatNumber(p.log_end_offset)}</td><td class="num">${formatNumber(p.lag)}</td>
          <td class="num">${p.lag_seconds === null ? '–' : p.lag_seconds.toFixed(1)}</td>
          <td>${owner[p.topic + ':' + p.partition] || '–'}</td></tr>`)}</tbody>
      </table>`}
  </section>`;
}
