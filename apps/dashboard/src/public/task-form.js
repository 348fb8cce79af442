// GridBot dashboard: the "Add a task" form. Shows the field of the schedule kind chosen
// (the others disabled, so they are not sent), starts in the browser's zone unless the
// page chose one, and previews the next firings from the API as the fields change. It runs
// once the page is parsed, after dashboard.js (loaded last) has set up `window.gridbot`.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector('form[data-preview]');
  if (!form) return;
  const preview = form.querySelector('#task-preview');
  const list = preview.querySelector('ol');
  const zoneSelect = form.elements.namedItem('timezone');
  const browserZone = window.gridbot.zone;
  if (zoneSelect.hasAttribute('data-browser-zone')) {
    if ([...zoneSelect.options].some((option) => option.value === browserZone)) {
      zoneSelect.value = browserZone;
    }
  }
  const FIELD = { cron: 'cron', every: 'every', once: 'at' };

  function showKind() {
    const kind = form.elements.namedItem('kind').value;
    for (const label of form.querySelectorAll('[data-kind]')) {
      const on = label.dataset.kind === kind;
      label.hidden = !on;
      for (const input of label.querySelectorAll('input')) input.disabled = !on;
    }
  }

  const day = new Intl.DateTimeFormat('en-US', { timeZone: browserZone, weekday: 'short' });
  /** `Thu 2026-12-03 09:00:00` in the browser's zone. */
  const inBrowser = (date) => `${day.format(date)} ${window.gridbot.localTime(date)}`;

  function render(data) {
    preview.querySelector('.preview-error')?.remove();
    list.replaceChildren(
      ...data.runs.map((run) => {
        const item = document.createElement('li');
        const time = document.createElement('time');
        time.dateTime = run.at;
        time.textContent = inBrowser(new Date(run.at));
        item.append(time);
        if (data.timezone !== browserZone) item.append(` (${run.local} in ${data.timezone})`);
        return item;
      }),
    );
  }

  function fail(message) {
    list.replaceChildren();
    let box = preview.querySelector('.preview-error');
    if (!box) {
      box = document.createElement('p');
      box.className = 'preview-error error';
      preview.append(box);
    }
    box.textContent = message;
  }

  let asked = 0;
  async function update() {
    const kind = form.elements.namedItem('kind').value;
    const value = form.elements.namedItem(FIELD[kind]).value;
    const mine = ++asked;
    if (value.trim() === '') {
      list.replaceChildren();
      preview.querySelector('.preview-error')?.remove();
      return;
    }
    const query = new URLSearchParams({ kind, [FIELD[kind]]: value, timezone: zoneSelect.value });
    try {
      const data = await window.gridbot.api('GET', `${form.dataset.preview}?${query}`);
      if (mine === asked) render(data);
    } catch (error) {
      if (mine === asked) fail(error.message);
    }
  }

  let timer;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  form.addEventListener('input', soon);
  form.addEventListener('change', (event) => {
    if (event.target.name === 'kind') showKind();
    soon();
  });
  showKind();
});
