import { formatSetting } from '@gridbot/core';
import { html } from 'hono/html';
import type {
  ConfigKeyView,
  EffectiveSetting,
  ThreadBehaviourView,
} from '../read-models/behaviour.ts';

const SOURCE_WORD = { global: 'global', user: 'user', thread: 'thread' } as const;

/** The form field for one key, holding `current` (the level's own value, or null). */
export function settingInput(key: ConfigKeyView, current: unknown, placeholder: unknown) {
  const shown = current === null || current === undefined ? '' : formatSetting(current);
  const hint = `global: ${formatSetting(placeholder)}`;
  if (key.kind === 'choice') {
    return html`<select name="${key.key}" aria-label="${key.key}"><option value="">(not set; ${hint})</option>${(
      key.choices ?? []
    ).map(
      (choice) =>
        html`<option value="${choice}"${choice === current ? html` selected` : ''}>${choice}</option>`,
    )}</select>`;
  }
  if (key.kind === 'number' || key.kind === 'integer') {
    return html`<input name="${key.key}" aria-label="${key.key}" type="number" min="${key.min ?? ''}" max="${key.max ?? ''}" step="${key.kind === 'integer' ? '1' : 'any'}" value="${shown}" placeholder="${hint}">`;
  }
  return html`<input name="${key.key}" aria-label="${key.key}" value="${shown === '(none)' ? '' : shown}" placeholder="${hint}">`;
}

function row(threadId: number, s: EffectiveSetting) {
  const own = s.override !== null;
  return html`<tr class="config-key" data-key="${s.key}"><td><code>${s.key}</code><br><span class="hint">${s.description} (${s.range})</span></td><td class="config-value">${formatSetting(s.value)}</td><td class="config-source source-${s.source}">${SOURCE_WORD[s.source]}</td><td>${
    s.settable
      ? settingInput(s, s.override, s.global)
      : html`<span class="muted">set by the operator</span>`
  }</td><td>${
    s.settable && own
      ? html`<button type="button" data-api="/api/threads/${threadId}/config/${s.key}" data-method="DELETE">Reset</button>`
      : ''
  }</td></tr>`;
}

/**
 * The thread's settings: each key's effective value and its level (global / user / thread),
 * with a form for the thread's own values checked by the API against the key table.
 */
export function threadConfigSection(threadId: number, view: ThreadBehaviourView) {
  const who = view.appliesTo
    ? html`the defaults of <a href="/users/${view.appliesTo.id}">${view.appliesTo.name}</a> (who addressed the assistant last)`
    : html`the defaults of whoever addresses the assistant (nobody yet)`;
  return html`<h2>Config</h2>
<p class="hint">What the next run uses: global (the workers' environment${view.provider ? html`, provider ${view.provider}` : ''}) → ${who} → this thread's own values. Empty fields leave a key as it is; Reset removes the thread's value.</p>
${view.fromWorkers ? '' : html`<p class="warning" id="config-no-worker">No worker is up: the global values shown are the built-in defaults.</p>`}
<form id="config-form" data-api="/api/threads/${threadId}/config" data-method="PUT">
<table id="thread-config-table">
<thead><tr><th>Key</th><th>Effective</th><th>From</th><th>This thread</th><th></th></tr></thead>
<tbody>${view.settings.map((s) => row(threadId, s))}</tbody>
</table>
<button type="submit">Save</button>
</form>`;
}
