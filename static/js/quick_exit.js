// "Leave quickly": the header control, or Escape pressed twice, replaces this page with a
// neutral site at once. location.replace means Back does not return to this page. Drafts
// (forum and chat) are already in localStorage as they are typed, so nothing is lost.
//
// location.replace only swaps the current history entry; Kindred pages visited before it
// are still behind it. So leaving also marks this tab (sessionStorage stays with the tab
// and the site): a Kindred page reached again through Back or Forward hides itself and
// leaves again at once, so Back from the neutral site never shows Kindred. Opening Kindred
// afresh (a link, the address bar, a reload) clears the mark.
//
// A classic script in <head> (not a module), so that the Back guard runs before the page
// is drawn. Each tab keeps its own mark; other open Kindred tabs are told to leave too.
(() => {
  const ESCAPE_WINDOW_MS = 1000;
  const LEFT_KEY = "kindred.quick-exit.left";
  const root = document.documentElement;
  const target = root.dataset.quickExitUrl;
  if (!target) return;

  function remember(left) {
    try {
      if (left) sessionStorage.setItem(LEFT_KEY, "1");
      else sessionStorage.removeItem(LEFT_KEY);
    } catch {
      // Storage disabled: leaving still works, only the Back guard is lost.
    }
  }

  function hasLeft() {
    try {
      return sessionStorage.getItem(LEFT_KEY) === "1";
    } catch {
      return false;
    }
  }

  // Every other Kindred tab of this browser leaves too (the chat's "Open your whole plan"
  // opens one, for instance).
  const others = "BroadcastChannel" in window ? new BroadcastChannel("kindred-quick-exit") : null;

  function leave({ tell = true } = {}) {
    // Hide the page first: the neutral site may take a moment to load, and a copy kept in
    // the back/forward cache stays hidden.
    root.style.visibility = "hidden";
    document.title = "";
    remember(true);
    if (tell && others) others.postMessage("leave");
    location.replace(target);
  }

  if (others) {
    others.addEventListener("message", (event) => {
      if (event.data === "leave") leave({ tell: false });
    });
  }

  const [navigation] = performance.getEntriesByType("navigation");
  if (hasLeft() && navigation && navigation.type === "back_forward") {
    leave({ tell: false });
    return;
  }
  remember(false);

  window.addEventListener("pageshow", (event) => {
    if (event.persisted && hasLeft()) leave({ tell: false });
  });

  let lastEscape = 0;
  window.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape" || event.repeat) return;
      const now = Date.now();
      if (now - lastEscape <= ESCAPE_WINDOW_MS) {
        leave();
        return;
      }
      lastEscape = now;
    },
    true,
  );
  document.addEventListener("click", (event) => {
    const control = event.target instanceof Element && event.target.closest("[data-quick-exit]");
    if (!control || event.button !== 0) return;
    event.preventDefault();
    leave();
  });
})();
