// Web chat: history from the API, replies pushed over server-sent events. Runs once the
// page is parsed, after dashboard.js has defined window.gridbot.
document.addEventListener('DOMContentLoaded', () => {
  const { api } = window.gridbot;
  const log = document.getElementById('chat-log');
  const form = document.getElementById('chat-form');
  const input = document.getElementById('chat-input');
  const status = document.getElementById('chat-status');
  const typing = document.getElementById('chat-typing');
  const picker = document.getElementById('chat-images');
  const attachedLine = document.getElementById('chat-attached');
  const MAX_IMAGES = 4;
  const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
  /** Images chosen or pasted for the next message. */
  let attached = [];
  function attach(files) {
    for (const file of files) {
      if (!file.type.startsWith('image/')) {
        status.textContent = `${file.name} is not an image.`;
      } else if (file.size > MAX_IMAGE_BYTES) {
        status.textContent = `${file.name} is over 10 MB.`;
      } else if (attached.length >= MAX_IMAGES) {
        status.textContent = `At most ${MAX_IMAGES} images go with one message.`;
      } else {
        attached.push(file);
      }
    }
    attachedLine.textContent = attached.length
      ? `Attached: ${attached.map((f) => f.name || 'pasted image').join(', ')}`
      : '';
  }
  // The server renews "typing" every few seconds while a run works; silence means it ended.
  const TYPING_LAPSE_MS = 6000;
  let typingTimer = null;
  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) typingTimer = setTimeout(() => showTyping(false), TYPING_LAPSE_MS);
  }

  // The reply as the model writes it: one bubble, replaced by the reply when it arrives.
  let draft = null;
  function showDraft(text) {
    if (typeof text !== 'string' || text === '') {
      draft?.remove();
      draft = null;
      return;
    }
    if (!draft) {
      draft = document.createElement('div');
      draft.className = 'chat-message assistant draft';
      draft.dataset.role = 'draft';
      log.append(draft);
    }
    draft.textContent = text;
    log.scrollTop = log.scrollHeight;
  }

  const params = new URLSearchParams(window.location.search);
  let chatId = params.get('chat') ?? window.localStorage.getItem('gridbot.chatId');
  if (!chatId || !/^[A-Za-z0-9_-]{1,64}$/.test(chatId)) {
    chatId = `operator-${Math.random().toString(36).slice(2, 10)}`;
  }
  window.localStorage.setItem('gridbot.chatId', chatId);
  document.getElementById('chat-jid').textContent = `web:${chatId}`;
  const base = `/api/chat/${encodeURIComponent(chatId)}`;

  /** Every bubble shown, by platform id, so history and live replies never double up. */
  const shown = new Map();
  /** Replies pushed live, kept so a history refresh cannot drop one it did not see yet. */
  const live = [];

  // The assistant's Markdown, rendered with raw HTML off (any tag shows as text) and only
  // http(s) and mailto links; code blocks get a copy button.
  const markdown = window.markdownit ? window.markdownit({ html: false, linkify: true }) : null;
  function renderMarkdown(element, text) {
    if (!markdown) {
      element.textContent = text;
      return;
    }
    element.classList.add('markdown');
    element.innerHTML = markdown.render(text).trim();
    for (const link of element.querySelectorAll('a')) {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
    for (const block of element.querySelectorAll('pre')) {
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'chat-copy';
      copy.textContent = 'Copy';
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(
            block.querySelector('code')?.textContent ?? block.textContent,
          );
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Select and copy';
        }
        setTimeout(() => {
          copy.textContent = 'Copy';
        }, 2000);
      });
      block.before(copy);
    }
  }

  function bubble(entry) {
    const element = document.createElement('div');
    element.className = `chat-message ${entry.role}`;
    element.dataset.role = entry.role;
    if (entry.role === 'assistant') renderMarkdown(element, entry.text);
    else element.textContent = entry.text;
    for (const src of entry.imageUrls ?? (entry.images ?? []).map((id) => `${base}/images/${id}`)) {
      const image = document.createElement('img');
      image.className = 'chat-image';
      image.src = src;
      image.alt = 'an image sent in this chat';
      element.append(image);
    }
    if (entry.document) {
      // A file (a history export): offered as a download from the dashboard.
      const link = document.createElement('a');
      link.className = 'chat-document';
      link.href = `${base}/documents/${encodeURIComponent(entry.document.id)}`;
      link.download = entry.document.fileName;
      link.textContent = `${entry.document.fileName} (${Math.ceil(entry.document.bytes / 1024)} KB)`;
      if (entry.text) element.append(document.createElement('br'));
      element.append(link);
    }
    if (entry.actions?.length) element.append(buttons(entry.ids[0], entry.actions));
    log.append(element);
    for (const id of entry.ids) shown.set(id, element);
    log.scrollTop = log.scrollHeight;
  }

  /** The buttons under an assistant's message (an approval request's Approve / Reject). */
  function buttons(messageId, actions) {
    const row = document.createElement('div');
    row.className = 'chat-actions';
    for (const action of actions) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `chat-action ${action.style ?? ''}`.trim();
      button.textContent = action.label;
      button.addEventListener('click', async () => {
        for (const b of row.querySelectorAll('button')) b.disabled = true;
        try {
          await api('POST', `${base}/actions`, { messageId, data: action.id });
        } catch (error) {
          status.textContent = `Not sent: ${error.message}`;
          for (const b of row.querySelectorAll('button')) b.disabled = false;
        }
      });
      row.append(button);
    }
    return row;
  }

  /** A press answered: the notice in the status line, the message's new text without buttons. */
  function answered(reply) {
    const element = shown.get(reply.messageId);
    status.textContent = reply.answer.text;
    if (!element) return;
    if (reply.answer.edit !== null) {
      element.textContent = reply.answer.edit;
    } else {
      for (const b of element.querySelectorAll('.chat-actions button')) b.disabled = false;
    }
  }

  async function loadHistory() {
    const { entries } = await api('GET', `${base}/messages`);
    log.replaceChildren();
    shown.clear();
    for (const entry of entries) bubble(entry);
    for (const entry of live) if (!entry.ids.some((id) => shown.has(id))) bubble(entry);
  }

  function connect() {
    const events = new EventSource(`${base}/events`);
    events.addEventListener('ready', () => {
      status.textContent = '';
      loadHistory().catch((error) => {
        status.textContent = `Could not load the conversation: ${error.message}`;
      });
    });
    events.addEventListener('typing', (event) => {
      showTyping(JSON.parse(event.data).typing === true);
    });
    events.addEventListener('draft', (event) => {
      showDraft(JSON.parse(event.data).draft);
    });
    events.addEventListener('reply', (event) => {
      const reply = JSON.parse(event.data);
      if (reply.answer) return answered(reply);
      showTyping(false);
      showDraft(null);
      const entry = {
        role: 'assistant',
        ids: [reply.messageId],
        text: reply.text,
        document: reply.document,
        actions: reply.actions,
      };
      live.push(entry);
      if (!shown.has(reply.messageId)) bubble(entry);
    });
    events.onerror = () => {
      status.textContent = 'Reconnecting…';
    };
  }

  /** A message with images goes as a form; the server answers like the JSON API. */
  async function postForm(url, fields, files) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const file of files) form.append('image', file, file.name || 'pasted.png');
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-xsrf-token': window.gridbot.csrf() },
      body: form,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error(data?.error ?? `${response.status} ${response.statusText}`);
    return data;
  }

  async function send() {
    const text = input.value.trim();
    const images = attached;
    if (!text && images.length === 0) return;
    const messageId = `u-${crypto.randomUUID()}`;
    input.value = '';
    attached = [];
    attach([]);
    const imageUrls = images.map((file) => URL.createObjectURL(file));
    bubble({ role: 'user', ids: [messageId], text, imageUrls });
    try {
      // The browser's zone becomes the person's time zone while they have chosen none.
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (images.length > 0) {
        await postForm(`${base}/messages`, { text, messageId, timeZone }, images);
      } else {
        await api('POST', `${base}/messages`, { text, messageId, timeZone });
      }
      status.textContent = '';
    } catch (error) {
      status.textContent = `Not sent: ${error.message}`;
      shown.get(messageId)?.classList.add('error');
      input.value = text;
      attached = images;
      attach([]);
    }
  }

  picker.addEventListener('change', () => {
    attach([...picker.files]);
    picker.value = '';
  });
  input.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length > 0) {
      event.preventDefault();
      attach(files);
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
  connect();
});
