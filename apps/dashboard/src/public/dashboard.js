// GridBot dashboard: page behaviour without a build step. Every change goes through the
// JSON API with the session's CSRF token; charts are drawn from the API's chart data.
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

  /** Calls the JSON API; throws an Error with the server's message when it refuses. */
  async function api(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-xsrf-token': csrf(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(data?.error ?? `${response.status} ${response.statusText}`);
    return data;
  }
  // The browser's zone, and a time in it as every page shows one: `2026-12-03 09:00:00`.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const localTime = (date) => format.format(date);
  window.gridbot = { api, csrf, zone, localTime };

  // Every time on the page in the browser's zone, said once under the title; the UTC time
  // stays in each one's tooltip.
  function localTimes() {
    const times = document.querySelectorAll('time[datetime]');
    for (const time of times) {
      const date = new Date(time.getAttribute('datetime'));
      if (Number.isNaN(date.getTime())) continue;
      time.title = time.textContent;
      time.textContent = localTime(date);
    }
    const title = document.querySelector('main h1');
    if (times.length > 0 && title && !document.getElementById('time-zone')) {
      const note = document.createElement('p');
      note.id = 'time-zone';
      note.className = 'muted';
      note.textContent = `Times are in ${zone} (this browser's zone).`;
      title.after(note);
    }
  }
  document.addEventListener('DOMContentLoaded', localTimes);

  function showError(element, error) {
    let box = element.querySelector('.form-error');
    if (!box) {
      box = document.createElement('p');
      box.className = 'form-error error';
      box.setAttribute('role', 'alert');
      element.append(box);
    }
    box.textContent = error.message;
  }

  // <form data-api="/api/…" data-method="POST" data-confirm="…">: the enabled fields sent as
  // JSON (after the question, if any, is answered yes), the page reloaded after.
  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form[data-api]');
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const body = {};
    for (const element of form.elements) {
      if (!element.name || element.disabled) continue;
      if (element.type === 'checkbox') body[element.name] = element.checked;
      else if (element.value !== '') body[element.name] = element.value;
    }
    try {
      await api(form.dataset.method ?? 'POST', form.dataset.api, body);
      window.location.reload();
    } catch (error) {
      showError(form, error);
    }
  });

  // A refusal shown under a form goes once the form is changed.
  document.addEventListener('input', (event) => {
    event.target.closest?.('form')?.querySelector('.form-error')?.remove();
  });

  // <button data-api="/api/…" data-method="POST" data-confirm="…">
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-api]');
    if (!button) return;
    event.preventDefault();
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    button.disabled = true;
    try {
      await api(button.dataset.method ?? 'POST', button.dataset.api);
      window.location.reload();
    } catch (error) {
      button.disabled = false;
      showError(button.parentElement, error);
    }
  });

  // <canvas data-chart="/api/…" data-chart-type="bar" data-stacked>: { labels, datasets }.
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777'];
  async function drawChart(canvas) {
    const data = await api('GET', canvas.dataset.chart);
    const stacked = canvas.hasAttribute('data-stacked');
    const datasets = data.datasets.map((dataset, i) => ({
      ...dataset,
      backgroundColor: PALETTE[i % PALETTE.length],
      borderColor: PALETTE[i % PALETTE.length],
    }));
    new window.Chart(canvas, {
      type: canvas.dataset.chartType ?? 'line',
      data: { labels: data.labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true } },
      },
    });
    canvas.dataset.ready = 'true';
  }
  // Page scripts (Chart.js) load before this one; wait for the whole page all the same.
  const drawAll = () => {
    for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
      drawChart(canvas).catch((error) => showError(canvas.parentElement, error));
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
