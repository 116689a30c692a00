// Sochen web chat widget: vanilla JS, no build step, no third-party assets.
// Wrapped by the server in (function(SOCHEN_WEBCHAT){ ... })({api, tenant, title, greeting, maxChars}).
"use strict";
var cfg = SOCHEN_WEBCHAT;
var KEY = "sochen.webchat." + cfg.tenant + ".token";
var doc = document;
var state = { token: null, seen: {}, last: 0, streaming: false, backoff: 1000, open: false, unread: 0, opening: null };

function store(value) {
  try { if (value) { localStorage.setItem(KEY, value); } else { localStorage.removeItem(KEY); } } catch (e) { /* private mode */ }
}
function stored() {
  try { return localStorage.getItem(KEY); } catch (e) { return null; }
}
function el(tag, attrs, text) {
  var node = doc.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
  if (text) { node.textContent = text; }
  return node;
}
function clientId() {
  var bytes = new Uint8Array(12);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

var CSS = [
  ":host{all:initial}",
  "*{box-sizing:border-box;font-family:system-ui,'Segoe UI',Arial,'Noto Sans Hebrew',sans-serif}",
  ".root{position:fixed;bottom:20px;left:20px;z-index:2147483000;direction:rtl;text-align:right;color:#1a1a1a}",
  ".launcher{background:#0b3d91;color:#fff;border:0;border-radius:28px;padding:14px 20px;font-size:16px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
  ".launcher .badge{display:inline-block;min-width:20px;margin-inline-start:8px;padding:0 6px;border-radius:10px;background:#fff;color:#0b3d91;font-weight:700}",
  ".panel{width:min(360px,calc(100vw - 40px));height:min(520px,calc(100vh - 100px));background:#fff;border:1px solid #5f6368;border-radius:12px;display:flex;flex-direction:column;overflow:hidden;box-shadow:0 4px 16px rgba(0,0,0,.3);margin-bottom:12px}",
  ".panel[hidden]{display:none}",
  "header{background:#0b3d91;color:#fff;display:flex;align-items:center;justify-content:space-between;padding:10px 14px}",
  "header h2{font-size:17px;margin:0}",
  ".close{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;font-size:15px;padding:4px 10px;cursor:pointer}",
  ".log{flex:1;overflow-y:auto;padding:12px;background:#f5f7fa;margin:0;list-style:none}",
  ".msg{max-width:85%;margin:6px 0;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45;font-size:15px}",
  ".msg.in{background:#0b3d91;color:#fff;margin-inline-start:auto}",
  ".msg.out{background:#fff;color:#1a1a1a;border:1px solid #c4c7cc;margin-inline-end:auto}",
  ".msg.pending{opacity:.75}",
  ".msg.failed{border:2px solid #b00020}",
  ".status{min-height:1.2em;padding:2px 12px;font-size:13px;color:#b00020}",
  "form{display:flex;gap:8px;padding:10px;border-top:1px solid #c4c7cc;background:#fff}",
  "textarea{flex:1;resize:none;height:44px;padding:10px;border:1px solid #5f6368;border-radius:8px;font-size:15px;color:#1a1a1a;background:#fff}",
  ".send{background:#0b3d91;color:#fff;border:0;border-radius:8px;padding:0 16px;font-size:15px;cursor:pointer}",
  "button:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}",
  ".launcher:focus-visible,.send:focus-visible,.close:focus-visible{outline:3px solid #1a1a1a;box-shadow:0 0 0 5px #fff}",
  ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
  "@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}"
].join("\n");

var host = el("div", { id: "sochen-webchat", dir: "rtl", lang: "he" });
var shadow = host.attachShadow({ mode: "open" });
var style = el("style"); style.textContent = CSS; shadow.appendChild(style);
var root = el("div", { "class": "root", dir: "rtl", lang: "he" });
var panel = el("section", { "class": "panel", id: "sochen-panel", role: "dialog", "aria-labelledby": "sochen-title", hidden: "" });
var header = el("header");
var title = el("h2", { id: "sochen-title" }, cfg.title);
var close = el("button", { type: "button", "class": "close", "aria-label": "סגירת הצ'אט | Close chat" }, "סגירה");
header.appendChild(title); header.appendChild(close);
var log = el("ol", { "class": "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "הודעות השיחה | Conversation", tabindex: "0" });
var status = el("div", { "class": "status", role: "status", "aria-live": "assertive" });
var form = el("form", { "aria-label": "שליחת הודעה | Send a message" });
var label = el("label", { "for": "sochen-input", "class": "sr" }, "ההודעה שלך | Your message");
var input = el("textarea", { id: "sochen-input", dir: "auto", maxlength: String(cfg.maxChars), placeholder: "כתבו הודעה…", "aria-describedby": "sochen-hint" });
var hint = el("span", { id: "sochen-hint", "class": "sr" }, "Enter לשליחה, Shift+Enter לשורה חדשה, Escape לסגירה");
var send = el("button", { type: "submit", "class": "send" }, "שליחה");
form.appendChild(label); form.appendChild(input); form.appendChild(hint); form.appendChild(send);
panel.appendChild(header); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
var launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "sochen-panel" });
launcher.textContent = cfg.title;
var badge = el("span", { "class": "badge", hidden: "" });
launcher.appendChild(badge);
root.appendChild(panel); root.appendChild(launcher);
shadow.appendChild(root);

function say(text) { status.textContent = text || ""; }
function errorText(body, fallback) {
  return (body && body.error && (body.error.message_he || body.error.message)) || fallback;
}
function render(m, history) {
  if (state.seen[m.id]) { return; }
  if (m.seq && m.seq > state.last) { state.last = m.seq; }
  var cut = m.id.indexOf(":");
  var pending = cut > 0 ? shadow.querySelector('[data-client="' + m.id.slice(cut + 1) + '"]') : null;
  state.seen[m.id] = true;
  if (pending) {
    pending.classList.remove("pending", "failed");
    pending.setAttribute("data-id", m.id);
    return;
  }
  var item = bubble(m.direction === "in" ? "in" : "out", m.text);
  item.setAttribute("data-id", m.id);
  log.appendChild(item);
  log.scrollTop = log.scrollHeight;
  if (m.direction !== "in" && !state.open && !history) { state.unread += 1; badge.textContent = String(state.unread); badge.removeAttribute("hidden"); }
}
function bubble(direction, text, extra) {
  // Screen readers hear who wrote each message; the text itself is never parsed as HTML.
  var item = el("li", { "class": "msg " + direction + (extra ? " " + extra : ""), dir: "auto" }, text);
  var who = el("span", { "class": "sr" }, direction === "in" ? "אתם: " : "העסק: ");
  item.insertBefore(who, item.firstChild);
  return item;
}
function greet() {
  if (!log.children.length) {
    var item = el("li", { "class": "msg out", dir: "auto", "data-greeting": "1" }, cfg.greeting);
    log.appendChild(item);
  }
}

function request(path, options) {
  options = options || {};
  var headers = options.headers || {};
  if (state.token) { headers.Authorization = "Bearer " + state.token; }
  options.headers = headers;
  options.mode = "cors";
  options.credentials = "omit";
  return fetch(cfg.api + path, options);
}

function openSession() {
  // One session request at a time (the page load and a click on the launcher may both ask).
  if (!state.opening) {
    state.opening = startSession().then(function () { state.opening = null; }, function (e) { state.opening = null; throw e; });
  }
  return state.opening;
}
function startSession() {
  return request("/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: stored() })
  }).then(function (r) {
    return r.json().then(function (body) {
      if (!r.ok) { throw new Error(errorText(body, "הצ'אט אינו זמין כרגע")); }
      state.token = body.token; store(body.token);
      body.messages.forEach(function (m) { render(m, true); });
      greet();
      stream();
    });
  });
}

function stream() {
  if (state.streaming || !state.token) { return; }
  state.streaming = true;
  var headers = { Accept: "text/event-stream" };
  if (state.last) { headers["Last-Event-ID"] = String(state.last); }
  request("/stream", { headers: headers }).then(function (r) {
    if (r.status === 401) { state.token = null; store(null); throw new Error("expired"); }
    if (!r.ok || !r.body) { throw new Error("stream " + r.status); }
    state.backoff = 1000;
    var reader = r.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (block) {
          var data = "";
          block.split("\n").forEach(function (line) { if (line.indexOf("data: ") === 0) { data += line.slice(6); } });
          if (data) { try { render(JSON.parse(data)); } catch (e) { /* a malformed event is skipped */ } }
        });
        return pump();
      });
    }
    return pump();
  }).then(function () {
    state.streaming = false; setTimeout(stream, 200);
  }, function (err) {
    state.streaming = false;
    if (err && err.message === "expired") { openSession().catch(function (e) { say(e.message); }); return; }
    state.backoff = Math.min(state.backoff * 2, 30000);
    setTimeout(stream, state.backoff);
  });
}

function submit(text, item) {
  var id = item.getAttribute("data-client");
  return request("/messages", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: id, text: text })
  }).then(function (r) {
    return r.json().then(function (body) {
      if (!r.ok) { throw new Error(errorText(body, "ההודעה לא נשלחה")); }
      item.classList.remove("pending");
      say("");
    });
  }).catch(function (e) {
    item.classList.add("failed");
    say((e && e.message) || "ההודעה לא נשלחה; נסו שוב");
    if (!input.value) { input.value = text; }
  });
}

form.addEventListener("submit", function (ev) {
  ev.preventDefault();
  var text = input.value.trim();
  if (!text) { say("ההודעה ריקה"); return; }
  var ready = state.token ? Promise.resolve() : openSession();
  var item = bubble("in", text, "pending");
  item.setAttribute("data-client", clientId());
  log.appendChild(item); log.scrollTop = log.scrollHeight;
  input.value = "";
  ready.then(function () { return submit(text, item); }).catch(function (e) { say(e.message); input.value = text; });
});
input.addEventListener("keydown", function (ev) {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : send.click(); }
});
function show(open) {
  state.open = open;
  if (open) { panel.removeAttribute("hidden"); } else { panel.setAttribute("hidden", ""); }
  launcher.setAttribute("aria-expanded", open ? "true" : "false");
  if (open) {
    state.unread = 0; badge.setAttribute("hidden", "");
    if (!state.token) { openSession().catch(function (e) { say(e.message); }); }
    input.focus();
  } else {
    launcher.focus();
  }
}
launcher.addEventListener("click", function () { show(!state.open); });
close.addEventListener("click", function () { show(false); });
panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { ev.preventDefault(); show(false); } });

function mount() {
  doc.body.appendChild(host);
  if (stored()) { openSession().catch(function (e) { say(e.message); }); }
}
if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", mount); } else { mount(); }
