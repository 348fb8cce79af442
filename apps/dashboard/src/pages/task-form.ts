import { html } from 'hono/html';

/** Every IANA zone the runtime knows, UTC first. */
function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}

export interface TaskFormOptions {
  /** The threads a task may be added to (registered ones), or the one thread of its page. */
  threads: Array<{ id: number; label: string }> | { id: number };
  /** The zone preselected; the browser's own when not given. */
  timezone?: string;
}

/**
 * "Add a task": the thread, the prompt, when (a cron, a length of time, or a date and time
 * in the chosen zone) and the next five firings previewed as the fields change (the page
 * script asks `/api/tasks/preview`); checked again by `POST /api/tasks` on submit.
 */
export function taskForm(options: TaskFormOptions) {
  const zone = options.timezone;
  const thread = Array.isArray(options.threads)
    ? options.threads.length === 0
      ? html`<p class="hint">No registered thread yet: register one on <a href="/threads">Threads</a> first.</p>`
      : html`<label>Thread <select name="threadId" required>${options.threads.map(
          (t) => html`<option value="${t.id}">${t.label}</option>`,
        )}</select></label>`
    : html`<input type="hidden" name="threadId" value="${options.threads.id}">`;
  return html`<details id="add-task"><summary>Add a task</summary>
<form id="task-form" class="stacked" data-api="/api/tasks" data-method="POST" data-preview="/api/tasks/preview">
${thread}
<label>What to do <textarea name="prompt" rows="2" maxlength="4000" placeholder="Post the standup reminder" required></textarea></label>
<label>When <select name="kind">
<option value="every">Every …</option>
<option value="cron">On a cron schedule</option>
<option value="once">Once</option>
</select></label>
<label data-kind="every">Every <input name="every" placeholder="1h, 30m, 2 days"></label>
<label data-kind="cron">Cron <input name="cron" placeholder="0 9 * * 1-5 (minute hour day month weekday)"></label>
<label data-kind="once">At <input type="datetime-local" name="at" step="1"></label>
<label>Time zone <select name="timezone"${zone ? '' : html` data-browser-zone`}>${timeZones().map(
    (z) => html`<option${z === (zone ?? 'UTC') ? html` selected` : ''}>${z}</option>`,
  )}</select></label>
<label><input type="checkbox" name="isolated"> Without the chat’s recent history</label>
<label>A run missed while GridBot was down <select name="misfirePolicy">
<option value="skip">is skipped</option>
<option value="run-once">runs once on start</option>
</select></label>
<div id="task-preview" aria-live="polite"><p class="hint">Next runs</p><ol></ol></div>
<button type="submit">Add task</button>
</form>
</details>`;
}
