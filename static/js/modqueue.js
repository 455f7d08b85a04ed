// The moderation queue, live: new items and crisis alerts arrive without reloading.
const list = document.getElementById("queue-list");
const countsList = document.getElementById("queue-counts");
const announcer = document.getElementById("queue-announcer");
const pageCommunity = countsList ? countsList.dataset.community : "";
let retry = 1000;

function itemElement(frame) {
  const li = document.createElement("li");
  li.className = `queue-item priority-${frame.priority} queue-item-new`;
  const link = document.createElement("a");
  link.href = frame.url;
  const label = document.createElement("span");
  label.className = "priority-label";
  label.textContent = frame.priority;
  link.append(label, ` ${frame.reason}`);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = `${frame.community}${frame.alias ? ` · ${frame.alias}` : ""} · just now`;
  li.append(link, meta);
  li.dataset.itemId = String(frame.id);
  return li;
}

const ORDER = { imminent: 0, high: 1, safety: 2, normal: 3 };

function insertItem(frame) {
  if (!list || (pageCommunity && frame.community !== pageCommunity)) return;
  list.querySelector(".queue-empty")?.remove();
  list.querySelector(`[data-item-id="${frame.id}"]`)?.remove();
  const element = itemElement(frame);
  // Keep priority order: before the first item of a lower priority.
  const later = Array.from(list.children).find((child) => {
    const match = /priority-(\w+)/.exec(child.className);
    return match && ORDER[match[1]] > ORDER[frame.priority];
  });
  list.insertBefore(element, later || null);
  const urgent = frame.priority === "imminent" || frame.priority === "high";
  announcer.textContent = `${urgent ? "Urgent: " : "New item: "}${frame.reason} in ${frame.community}`;
}

function updateCounts(frame) {
  let total = 0;
  for (const [slug, count] of Object.entries(frame.communities)) {
    total += count.open;
    const row = countsList?.querySelector(`[data-slug="${slug}"]`);
    if (row) {
      row.querySelector(".open-count").textContent = String(count.open);
      row.querySelector(".urgent-count").textContent = String(count.urgent);
    }
  }
  const badge = document.querySelector("[data-live-queue]");
  if (badge) badge.textContent = String(total);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/mod/`);
  socket.addEventListener("open", () => {
    retry = 1000;
    document.body.dataset.modFeed = "open";
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "queue_item") insertItem(frame);
    if (frame.type === "counts") updateCounts(frame);
  });
  socket.addEventListener("close", (event) => {
    document.body.dataset.modFeed = "closed";
    if (event.code === 4403) return;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  });
}

connect();
