// Toggle reactions without a page reload; the plain form post works without this script.
for (const form of document.querySelectorAll("form.reactions")) {
  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button) return;
    event.preventDefault();
    const body = new FormData(form);
    body.set("kind", button.value);
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`reaction refused: ${response.status}`);
      const result = await response.json();
      button.classList.toggle("reacted", result.added);
      button.setAttribute("aria-pressed", result.added ? "true" : "false");
      button.querySelector(".reaction-count").textContent = result.count ? String(result.count) : "";
    } catch {
      // Fall back to the plain form post, which explains any refusal on the page.
      const fallback = document.createElement("input");
      fallback.type = "hidden";
      fallback.name = "kind";
      fallback.value = button.value;
      form.append(fallback);
      HTMLFormElement.prototype.submit.call(form);
    } finally {
      button.disabled = false;
    }
  });
}
