// Live chat room: speaks chat/PROTOCOL.md over one WebSocket.
// Nothing typed is lost: the draft and every unsent message live in localStorage until the
// server acknowledges them, and are re-sent with the same client_id after a reconnect.

const root = document.getElementById("chat");

const MAX_BACKOFF_MS = 30000;
const TYPING_EVERY_MS = 2000;
const TYPING_SHOWN_MS = 4000;
const HISTORY_PAGE = 50;
const FINAL_CLOSES = {
  4401: "You are signed out. Log in again to chat.",
  4403: "You can no longer chat in this room.",
  4404: "This room does not exist any more.",
};

function storage(key, fallback) {
  try {
    const value = localStorage.getItem(key);
    return value === null ? fallback : JSON.parse(value);
  } catch {
    return fallback;
  }
}

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private browsing or a full quota: the chat still works, it just can't remember.
  }
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

class ChatRoom {
  constructor(element) {
    this.wsPath = element.dataset.wsPath;
    this.alias = element.dataset.alias;
    this.loginUrl = element.dataset.loginUrl;
    const key = element.dataset.roomKey;
    this.pendingKey = `kindred.chat.pending.${key}`;
    this.draftKey = `kindred.chat.draft.${key}`;

    this.log = document.getElementById("chat-log");
    this.status = document.getElementById("chat-status");
    this.presence = document.getElementById("chat-presence");
    this.announcer = document.getElementById("chat-announcer");
    this.typing = document.getElementById("chat-typing");
    this.form = document.getElementById("chat-form");
    this.input = document.getElementById("chat-input");
    this.error = document.getElementById("chat-error");
    this.earlier = document.getElementById("chat-earlier");

    this.seen = new Set();
    this.lastId = 0;
    this.earliestId = null;
    this.pending = new Map(storage(this.pendingKey, []).map((item) => [item.client_id, item]));
    this.socket = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.retryTimers = new Map();
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.closedForGood = false;

    this.input.value = storage(this.draftKey, "");
    for (const item of this.pending.values()) this.renderPending(item);
    this.bind();
    this.connect();
  }

  bind() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      store(this.draftKey, this.input.value || null);
      const now = Date.now();
      if (this.input.value && now - this.lastTypingSent > TYPING_EVERY_MS && this.isOpen()) {
        this.lastTypingSent = now;
        this.socket.send(JSON.stringify({ type: "typing" }));
      }
    });
    this.earlier.addEventListener("click", () => this.loadEarlier());
    window.addEventListener("online", () => this.reconnectNow());
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const after = this.lastId ? `?after=${this.lastId}` : "";
    this.setStatus(this.attempt ? "Reconnecting…" : "Connecting…");
    const socket = new WebSocket(`${scheme}://${location.host}${this.wsPath}${after}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.setStatus("Connected");
      for (const item of this.pending.values()) this.transmit(item);
    });
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (FINAL_CLOSES[code]) {
      this.closedForGood = true;
      this.setStatus(FINAL_CLOSES[code]);
      if (code === 4401 && this.loginUrl) location.assign(this.loginUrl);
      return;
    }
    // Exponential backoff with jitter, so that a restarted server is not stampeded.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.setStatus(`Disconnected. Trying again in ${Math.ceil(delay / 1000)} s…`);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.closedForGood || this.socket !== null) return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  submit() {
    const body = this.input.value.trim();
    if (!body) return;
    if (body.length > 4000) {
      this.error.textContent = "A message can be at most 4,000 characters.";
      return;
    }
    const item = { client_id: newClientId(), body };
    this.pending.set(item.client_id, item);
    this.savePending();
    this.input.value = "";
    store(this.draftKey, null);
    this.error.textContent = "";
    this.renderPending(item);
    this.transmit(item);
  }

  transmit(item) {
    if (this.isOpen()) {
      this.socket.send(JSON.stringify({ type: "send", client_id: item.client_id, body: item.body }));
    }
  }

  savePending() {
    store(this.pendingKey, this.pending.size ? Array.from(this.pending.values()) : null);
  }

  receive(frame) {
    switch (frame.type) {
      case "message":
        this.onMessage(frame);
        break;
      case "ack":
        this.onAck(frame);
        break;
      case "error":
        this.onError(frame);
        break;
      case "removed":
        this.onRemoved(frame.id);
        break;
      case "typing":
        this.onTyping(frame.alias);
        break;
      case "presence":
        this.onPresence(frame);
        break;
      case "history":
        this.onHistory(frame);
        break;
      case "support":
        this.onSupport(frame);
        break;
      default:
        break;
    }
  }

  onMessage(frame) {
    if (this.seen.has(frame.id)) return;
    const own = frame.client_id && this.pending.has(frame.client_id);
    const element = this.renderMessage(frame);
    const placeholder = frame.client_id ? this.pendingElement(frame.client_id) : null;
    if (placeholder) placeholder.replaceWith(element);
    else this.appendInOrder(element, frame.id);
    this.remember(frame.id);
    if (!own && frame.alias !== this.alias) {
      this.announce(`${frame.alias}: ${element.querySelector(".chat-body").textContent}`);
    }
  }

  onAck(frame) {
    clearTimeout(this.retryTimers.get(frame.client_id));
    this.pending.delete(frame.client_id);
    this.savePending();
    const placeholder = this.pendingElement(frame.client_id);
    if (placeholder) {
      // The message frame usually comes first; if not, the placeholder becomes the message.
      placeholder.classList.remove("is-sending");
      placeholder.dataset.id = String(frame.id);
      placeholder.querySelector(".chat-state").textContent = "";
      this.remember(frame.id);
    }
  }

  onError(frame) {
    const item = frame.client_id ? this.pending.get(frame.client_id) : null;
    if (item && ["rate_limited", "slow_mode", "unavailable"].includes(frame.code)) {
      const wait = Math.max(1, frame.retry_after || 2) * 1000;
      this.markPending(item.client_id, `Waiting ${Math.ceil(wait / 1000)} s (${frame.message})`);
      this.retryTimers.set(item.client_id, setTimeout(() => this.transmit(item), wait));
      return;
    }
    if (item) {
      // Refused for good (muted, too long, archived…): give the text back to edit.
      this.pending.delete(item.client_id);
      this.savePending();
      this.pendingElement(item.client_id)?.remove();
      if (!this.input.value) {
        this.input.value = item.body;
        store(this.draftKey, item.body);
      }
    }
    this.error.textContent = frame.message;
  }

  onRemoved(id) {
    const element = this.log.querySelector(`[data-id="${id}"]`);
    if (!element) return;
    element.classList.add("is-removed");
    const body = element.querySelector(".chat-body");
    body.textContent = "Removed by a moderator.";
  }

  onTyping(alias) {
    this.typing.textContent = `${alias} is typing…`;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.typing.textContent = "";
    }, TYPING_SHOWN_MS);
  }

  onPresence(frame) {
    const people = frame.online === 1 ? "1 person here" : `${frame.online} people here`;
    this.presence.textContent = frame.aliases ? `${people}: ${frame.aliases.join(", ")}` : people;
  }

  onHistory(frame) {
    const first = this.log.querySelector(".chat-message[data-id]");
    for (const message of frame.messages) {
      if (this.seen.has(message.id)) continue;
      this.log.insertBefore(this.renderMessage(message), first);
      this.remember(message.id);
    }
    this.earlier.hidden = !frame.has_more;
    this.earlier.disabled = false;
  }

  loadEarlier() {
    if (!this.isOpen() || this.earliestId === null) return;
    this.earlier.disabled = true;
    this.socket.send(JSON.stringify({ type: "history", before: this.earliestId, limit: HISTORY_PAGE }));
  }

  remember(id) {
    this.seen.add(id);
    this.lastId = Math.max(this.lastId, id);
    if (this.earliestId === null || id < this.earliestId) {
      this.earliestId = id;
      this.earlier.hidden = false;
    }
  }

  announce(text) {
    this.announcer.textContent = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }

  pendingElement(clientId) {
    return this.log.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  }

  markPending(clientId, text) {
    const element = this.pendingElement(clientId);
    if (element) element.querySelector(".chat-state").textContent = text;
  }

  appendInOrder(element, id) {
    // Messages from several writers may arrive slightly out of id order; keep the log sorted.
    let before = null;
    for (const candidate of this.log.querySelectorAll(".chat-message[data-id]")) {
      if (Number(candidate.dataset.id) > id) {
        before = candidate;
        break;
      }
    }
    if (before) this.log.insertBefore(element, before);
    else this.log.insertBefore(element, this.log.querySelector(".is-sending"));
    this.log.scrollTop = this.log.scrollHeight;
  }

  renderMessage(frame) {
    const element = this.shell(frame.alias, frame.client_id);
    element.dataset.id = String(frame.id);
    if (frame.alias === this.alias) element.classList.add("is-own");
    const time = element.querySelector("time");
    time.dateTime = frame.created;
    time.textContent = new Date(frame.created).toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
    });
    // body_html was rendered and sanitised (bleach allow-list) by the server when stored.
    element.querySelector(".chat-body").innerHTML = frame.body_html;
    return element;
  }

  renderPending(item) {
    const element = this.shell(this.alias, item.client_id);
    element.classList.add("is-own", "is-sending");
    element.querySelector(".chat-body").textContent = item.body;
    element.querySelector(".chat-state").textContent = "Sending…";
    this.log.append(element);
    this.log.scrollTop = this.log.scrollHeight;
  }

  // The writer alone gets a `support` frame when their words suggest crisis: show the card
  // the page holds (copy and the check-in form) with the helplines of their region.
  onSupport(frame) {
    const card = document.getElementById("chat-support");
    if (!card) return;
    this.renderPlan(card, frame);
    const list = card.querySelector(".support-resources");
    list.replaceChildren();
    for (const resource of frame.resources || []) {
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = resource.name;
      item.append(name);
      const ways = [];
      if (resource.tel) ways.push(["Call " + resource.phone_display, resource.tel]);
      if (resource.sms_href) ways.push([resource.sms || "Text", resource.sms_href]);
      if (resource.web_chat) ways.push(["Chat online", resource.web_chat]);
      if (!ways.length && resource.web) ways.push(["Website", resource.web]);
      for (const [label, href] of ways) {
        const link = document.createElement("a");
        link.href = href;
        link.textContent = label;
        link.rel = "noopener noreferrer";
        item.append(" ", link);
      }
      if (resource.hours) {
        const hours = document.createElement("span");
        hours.className = "meta";
        hours.textContent = ` (${resource.hours})`;
        item.append(hours);
      }
      list.append(item);
    }
    card.dataset.severity = frame.severity;
    card.hidden = false;
    card.querySelector("h2").focus();
  }

  // The writer's own safety plan comes first in the card (as text, never as HTML); with no
  // plan, a gentle offer to make one later.
  renderPlan(card, frame) {
    const section = card.querySelector(".support-plan");
    const offer = card.querySelector(".support-plan-offer");
    if (!section || !offer) return;
    const steps = (frame.plan && frame.plan.steps) || [];
    const list = section.querySelector(".support-plan-steps");
    list.replaceChildren();
    for (const step of steps) {
      const title = document.createElement("dt");
      title.textContent = step.title;
      const text = document.createElement("dd");
      text.className = "plan-text";
      text.textContent = step.text;
      list.append(title, text);
    }
    section.hidden = steps.length === 0;
    offer.hidden = steps.length > 0;
  }

  shell(alias, clientId) {
    const element = document.createElement("li");
    element.className = "chat-message";
    if (clientId) element.dataset.clientId = clientId;
    const meta = document.createElement("p");
    meta.className = "chat-meta";
    const who = document.createElement("span");
    who.className = "chat-alias";
    who.textContent = alias;
    const time = document.createElement("time");
    const state = document.createElement("span");
    state.className = "chat-state";
    meta.append(who, " ", time, " ", state);
    const body = document.createElement("div");
    body.className = "chat-body";
    element.append(meta, body);
    return element;
  }
}

if (root) {
  window.kindredChat = new ChatRoom(root);
}
