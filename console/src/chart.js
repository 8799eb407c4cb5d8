// A time-series chart (uPlot) in a preact component: `series` is [{label, values}], `times`
// epoch seconds. Redrawn in place when the data changes; sized to its container.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './ui.js';

const colors = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e'];

export function TimeChart({ times, series, label, height = 220, bars = false }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(300, box.current.clientWidth);
    const opts = {
      width,
      height,
      series: [{}, ...series.map((s, i) => ({
        label: s.label, stroke: colors[i % colors.length], width: 2,
        fill: bars ? colors[i % colors.length] + '55' : undefined,
        paths: bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
      }))],
      axes: [{ stroke: 'currentColor', grid: { stroke: '#8884' } },
        { stroke: 'currentColor', grid: { stroke: '#8884' }, size: 70 }],
      legend: { live: true },
    };
    const data = [times, ...series.map((s) => s.values)];
    if (plot.current && plot.current.series.length === data.length) {
      plot.current.setData(data);
    } else {
      if (plot.current) plot.current.destroy();
      plot.current = new uPlot(opts, data, box.current);
    }
  }, [times, series]);
  useEffect(() => () => plot.current && plot.current.destroy(), []);
  useEffect(() => {
    const resize = () => plot.current && plot.current.setSize({
      width: Math.max(300, box.current.clientWidth), height });
    addEventListener('resize', resize);
    return () => removeEventListener('resize', resize);
  }, []);
  return html`<figure class="chart"><div ref=${box} role="img" aria-label=${label}></div>
    <figcaption>${label}</figcaption></figure>`;
}

// The chart's canvas as a PNG download.
export function downloadPng(container, file) {
  const canvas = container.querySelector('canvas');
  if (!canvas) return;
  const a = document.createElement('a');
  a.href = canvas.toDataURL('image/png');
  a.download = file;
  a.click();
}

// Rows as a CSV download (RFC 4180 quoting).
export function downloadCsv(rows, file) {
  const quote = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) || s !== s.trim() ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  const blob = new Blob([rows.map((r) => r.map(quote).join(',')).join('\n') + '\n'], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = file;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
