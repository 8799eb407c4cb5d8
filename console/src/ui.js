// What every page shares: htm bound to preact, a data-loading hook, and small components.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

// { data, error, loading, reload }: `load` runs at mount, when `deps` change and on
// reload(); every `refreshMs` when given (paused while the tab is hidden).
export function useLoad(load, deps, refreshMs) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, error: null, loading: false }),
      (error) => mine === generation.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, deps);
  useEffect(() => {
    run();
    if (!refreshMs) return undefined;
    const timer = setInterval(() => document.hidden || run(), refreshMs);
    return () => clearInterval(timer);
  }, [run]);
  return { ...state, reload: run };
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

export function Loading({ state }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<p class="muted" aria-live="polite">Loading…</p>`;
  return null;
}

// A button that runs `action` (async), disabled while it runs, showing its error.
export function ActionButton({ action, children, kind, label, disabled }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${kind || ''} onClick=${click} disabled=${busy || disabled}
      aria-label=${label}>${children}</button>
    ${error && html`<span class="error inline" role="alert">${error.message}</span>`}
  </span>`;
}

// Asks before a destructive action: the user types the name to confirm.
export function ConfirmDelete({ what, name, onConfirm }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  if (!open) {
    return html`<button type="button" class="danger" onClick=${() => setOpen(true)}>Delete</button>`;
  }
  return html`<div class="confirm" role="group" aria-label=${'Confirm deleting ' + what}>
    <label>Type <code>${name}</code> to delete this ${what}:
      <input value=${typed} onInput=${(e) => setTyped(e.target.value)} autofocus /></label>
    <${ActionButton} kind="danger" disabled=${typed !== name} action=${onConfirm}>
      Delete ${what}<//>
    <button type="button" onClick=${() => { setOpen(false); setTyped(''); }}>Cancel</button>
  </div>`;
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function formatTime(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function formatNumber(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en');
}

export function Field({ label, children }) {
  return html`<label class="field"><span>${label}</span>${children}</label>`;
}
