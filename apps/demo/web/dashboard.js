// Draws /api/dashboard with Chart.js and prints every number in a table under its chart,
// so readers (and the browser test) see the exact figures the chart shows.
// chart: the series drawn; table: every column printed under it (the exact figures).
const PANELS = {
  eventsPerMinute: { type: 'bar', label: (r) => r.minute, chart: [['events', 'events']] },
  topEvents: { type: 'bar', horizontal: true, label: (r) => r.event, chart: [['events', 'events']] },
  funnel: { type: 'bar', horizontal: true, label: (r) => r.label, chart: [['devices', 'devices']], extra: funnelRates },
  revenueByCurrency: { type: 'bar', label: (r) => r.currency, chart: [['revenue', 'revenue']], table: [['revenue', 'revenue'], ['purchases', 'purchases']] },
  activeByHour: { type: 'bar', label: (r) => r.hour, chart: [['devices', 'devices'], ['sessions', 'sessions']] },
  attribution: { type: 'bar', horizontal: true, label: (r) => `${r.source} / ${r.campaign}`, chart: [['devices', 'devices']], table: [['devices', 'devices'], ['events', 'events']] },
  firstTouch: { type: 'bar', horizontal: true, label: (r) => r.source, chart: [['devices', 'devices'], ['buyers', 'buyers']] },
  badRowsByReason: { type: 'bar', horizontal: true, label: (r) => r.reason, chart: [['rows', 'rows']] },
};
const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444'];
const charts = {};

function funnelRates(rows) {
  const first = rows[0] ? rows[0].devices : 0;
  return rows.map((r) => (first > 0 ? `${Math.round((100 * r.devices) / first)} %` : '–'));
}

function renderTable(table, name, rows, spec) {
  const extra = spec.extra ? spec.extra(rows) : null;
  const columns = spec.table || spec.chart;
  const head = ['', ...columns.map(([, title]) => title), ...(extra ? ['of first step'] : [])];
  const body = rows.map((r, i) => {
    // Labels are client-controlled (event names, utm_source, bad-row reasons): every value is escaped.
    const label = escapeHtml(String(spec.label(r)));
    const cells = columns.map(([key]) => `<td data-cell="${escapeHtml(`${name}:${spec.label(r)}:${key}`)}">${escapeHtml(String(r[key] ?? ''))}</td>`);
    if (extra) cells.push(`<td>${escapeHtml(extra[i])}</td>`);
    return `<tr><th>${label}</th>${cells.join('')}</tr>`;
  });
  table.innerHTML = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${
    body.join('') || `<tr><td colspan="${head.length}" class="muted">no data yet</td></tr>`
  }</tbody>`;
}

function renderChart(canvas, name, rows, spec) {
  const data = {
    labels: rows.map(spec.label),
    datasets: spec.chart.map(([key, title], i) => ({
      label: title,
      data: rows.map((r) => r[key]),
      backgroundColor: COLORS[i],
      borderColor: COLORS[i],
      tension: 0.25,
    })),
  };
  if (charts[name]) {
    charts[name].data = data;
    charts[name].update('none');
    return;
  }
  charts[name] = new Chart(canvas, {
    type: spec.type,
    data,
    options: {
      animation: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: spec.chart.length > 1 } },
      scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
    },
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function refresh() {
  try {
    const res = await fetch('/api/dashboard');
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || res.statusText);
    for (const [key, value] of Object.entries(data.totals[0] || {})) {
      const el = document.querySelector(`[data-total="${key}"]`);
      if (el) el.textContent = value;
    }
    for (const [name, spec] of Object.entries(PANELS)) {
      const panel = document.querySelector(`[data-panel="${name}"]`);
      renderChart(panel.querySelector('canvas'), name, data[name], spec);
      renderTable(panel.querySelector('table'), name, data[name], spec);
    }
    // UTC, as the lake's minutes and hours are (DuckDB's session runs on UTC): one clock on the page.
    document.getElementById('updated').textContent = `updated ${data.generated_at.slice(11, 19)} UTC`;
    document.body.dataset.generatedAt = data.generated_at;
  } catch (error) {
    document.getElementById('updated').textContent = `error: ${error.message}`;
  } finally {
    setTimeout(refresh, 3000);
  }
}
refresh();

document.getElementById('sql-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = document.getElementById('sql-result');
  out.textContent = 'running…';
  try {
    const res = await fetch('/api/sql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: document.getElementById('sql').value }),
    });
    const body = await res.json();
    if (!res.ok) {
      out.innerHTML = `<span class="error" data-sql-error="${escapeHtml(String(body.error.code))}">${escapeHtml(body.error.code)}: ${escapeHtml(body.error.message)}</span>`;
      return;
    }
    const columns = body.rows.length > 0 ? Object.keys(body.rows[0]) : [];
    const cell = (v) => escapeHtml(v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    out.innerHTML = `<table data-sql-result><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${body.rows
      .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
      .join('')}</tbody></table><p class="muted">${body.rows.length} row(s)${body.truncated ? ', cut at the limit' : ''}</p>`;
  } catch (error) {
    out.textContent = `error: ${error.message}`;
  }
});
