// Keep what a member is writing on this device as they type, and bring it back after a
// reload, an expired session or a refused post (WCAG 2.2: no data lost to a timeout).
// A form opts in with data-draft-key; the server confirms a post with a notice carrying
// data-draft-clear="draft-clear:<key>", and only then is the draft forgotten.
const PREFIX = "kindred-draft:";

function storageKey(form) {
  return PREFIX + form.dataset.draftKey;
}

function fields(form) {
  return Array.from(form.querySelectorAll("input[name], textarea[name], select[name]")).filter(
    (field) => !["hidden", "submit", "password", "file"].includes(field.type),
  );
}

function save(form) {
  const values = {};
  for (const field of fields(form)) values[field.name] = field.value;
  try {
    localStorage.setItem(storageKey(form), JSON.stringify({ values, saved: Date.now() }));
  } catch {
    // Storage full or disabled: the server still keeps the text on a refused post.
  }
}

function restore(form) {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(storageKey(form)) || "null");
  } catch {
    stored = null;
  }
  if (!stored || !stored.values) return;
  let restored = false;
  for (const field of fields(form)) {
    const value = stored.values[field.name];
    // Never overwrite what the server sent back (a refused post keeps its text there).
    if (typeof value === "string" && value && !field.value.trim()) {
      field.value = value;
      restored = true;
    }
  }
  if (restored) {
    const note = document.createElement("p");
    note.className = "meta draft-note";
    note.setAttribute("role", "status");
    note.textContent = "We brought back what you were writing.";
    form.prepend(note);
  }
}

function clearConfirmed() {
  for (const notice of document.querySelectorAll("[data-draft-clear]")) {
    for (const token of notice.dataset.draftClear.split(/\s+/)) {
      if (token.startsWith("draft-clear:")) {
        localStorage.removeItem(PREFIX + token.slice("draft-clear:".length));
      }
    }
  }
}

clearConfirmed();
for (const form of document.querySelectorAll("form[data-draft-key]")) {
  restore(form);
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => save(form), 300);
  });
  form.addEventListener("submit", () => save(form));
  // A reload or a closed tab right after typing must not lose the last words.
  window.addEventListener("pagehide", () => save(form));
}
