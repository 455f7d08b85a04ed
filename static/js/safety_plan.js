// The safety plan: saved as the member types, and never lost.
// Every keystroke goes to localStorage first; a debounced fetch saves it on the server, and
// only the server's confirmation removes it from the device. Text that did not reach the
// server (offline, a failed save, a closed tab) comes back on the next visit and is saved
// then. The plain form post still works without this script.

const SAVE_AFTER_MS = 800;
const RETRY_MAX_MS = 30000;

const root = document.querySelector("[data-plan-draft]");

function readDraft(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "null");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function writeDraft(key, draft) {
  try {
    if (Object.keys(draft).length) localStorage.setItem(key, JSON.stringify(draft));
    else localStorage.removeItem(key);
  } catch {
    // Storage full or disabled: the server save and the form post still work.
  }
}

class PlanDraft {
  constructor(element) {
    this.key = element.dataset.planDraft;
    this.saveUrl = element.dataset.saveUrl;
    this.csrf = element.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    this.field = element.dataset.field || "";
    this.textarea = this.field ? element.querySelector("textarea") : null;
    this.status = document.getElementById("plan-save-status");
    this.timer = null;
    this.retryDelay = 2000;
    this.saving = false;

    this.forgetConfirmed();
    this.restore();
    if (this.textarea) {
      this.textarea.addEventListener("input", () => this.typed());
      element.addEventListener("submit", () => clearTimeout(this.timer));
    }
    window.addEventListener("online", () => this.saveSoon(0));
    this.saveSoon(0);
  }

  // The server confirmed a plain form post ("draft-clear:<key>:<field>"): that text is safe.
  forgetConfirmed() {
    const draft = readDraft(this.key);
    for (const notice of document.querySelectorAll("[data-draft-clear]")) {
      const [, key, field] = notice.dataset.draftClear.split(":");
      if (key !== this.key) continue;
      if (field) delete draft[field];
      else for (const name of Object.keys(draft)) delete draft[name];
    }
    writeDraft(this.key, draft);
  }

  restore() {
    if (!this.textarea) return;
    const draft = readDraft(this.key);
    const kept = draft[this.field];
    if (typeof kept === "string" && kept !== this.textarea.value) {
      this.textarea.value = kept;
      this.say("We brought back what you wrote here last time; it is being saved now.");
    }
  }

  typed() {
    const draft = readDraft(this.key);
    draft[this.field] = this.textarea.value;
    writeDraft(this.key, draft);
    this.saveSoon(SAVE_AFTER_MS);
  }

  saveSoon(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), delay);
  }

  async save() {
    const changes = readDraft(this.key);
    if (!Object.keys(changes).length || this.saving) return;
    this.saving = true;
    this.say("Saving…");
    let status = 0;
    try {
      // redirect: "error" because a redirect (to the login page, say) is never a save.
      const response = await fetch(this.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "error",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": this.csrf,
        },
        body: JSON.stringify({ changes }),
      });
      status = response.status;
      const answer = response.ok ? await response.json() : null;
      if (!answer || answer.saved !== true) throw new Error(`status ${status}`);
      // Forget only what was sent and is still unchanged since.
      const now = readDraft(this.key);
      for (const [field, text] of Object.entries(changes)) {
        if (now[field] === text) delete now[field];
      }
      writeDraft(this.key, now);
      this.showSaved(changes);
      this.retryDelay = 2000;
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      this.say(`Saved at ${time}.`);
      if (Object.keys(now).length) this.saveSoon(SAVE_AFTER_MS);
    } catch {
      this.say(
        status === 401 || status === 403
          ? "Not saved: you are signed out. What you wrote is kept on this device; log in again and it will be saved."
          : "Not saved yet: what you wrote is kept on this device, and we'll keep trying to save it.",
      );
      this.saveSoon(this.retryDelay);
      this.retryDelay = Math.min(RETRY_MAX_MS, this.retryDelay * 2);
    } finally {
      this.saving = false;
    }
  }

  // On the whole-plan page, text saved from an earlier visit shows at once (as text).
  showSaved(changes) {
    for (const [field, text] of Object.entries(changes)) {
      const step = document.querySelector(`[data-plan-step="${CSS.escape(field)}"]`);
      const shown = step && step.querySelector("[data-plan-text]");
      if (!shown) continue;
      shown.textContent = text.trim() || "Not filled in yet.";
      shown.className = text.trim() ? "plan-text" : "meta";
    }
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }
}

if (root) {
  window.kindredPlan = new PlanDraft(root);
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
