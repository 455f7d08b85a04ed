// An open topic page follows moderators' decisions: a hidden or removed post goes at once.
const list = document.getElementById("post-list");
let retry = 2000;

function apply(frame) {
  const item = document.getElementById(`post-${frame.number}`);
  if (!item || frame.state === "visible") return;
  const article = item.querySelector("article");
  const header = article.querySelector(".post-header");
  const note = document.createElement("p");
  note.className = "removed";
  note.textContent =
    frame.state === "removed" ? "Removed by a moderator." : "Hidden while a moderator looks at it.";
  article.replaceChildren(header, note);
}

function connect() {
  if (!list || !list.dataset.liveUrl) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${list.dataset.liveUrl}`);
  socket.addEventListener("open", () => {
    retry = 2000;
    list.dataset.live = "open";
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "post_state") apply(frame);
  });
  socket.addEventListener("close", (event) => {
    list.dataset.live = "closed";
    if (event.code === 4403) return;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 60000);
  });
}

connect();
