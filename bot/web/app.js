// The chat page: sends questions to POST /v1/reply and shows each reply with its sources,
// its suggestions, its parts, and salary figures as bars. Text is only ever set as text.
"use strict";

const SESSION_KEY = "careerbot.session";
const TOKEN_KEY = "careerbot.token";

const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("question");
const send = document.getElementById("send");
const suggestions = document.getElementById("suggestions");

function newSessionId() {
  if (window.crypto && crypto.randomUUID) return "web-" + crypto.randomUUID();
  return "web-" + Date.now().toString(36) + Math.random().toString(36).slice(2);
}

function sessionId() {
  let id = localStorage.getItem(SESSION_KEY);
  if (!id) {
    id = newSessionId();
    localStorage.setItem(SESSION_KEY, id);
  }
  return id;
}

// A token given as page.html#token=... is kept for this tab and sent as a bearer token.
(function takeToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
  if (!response.ok) {
    const message = (data && data.error) || ("the server answered " + response.status);
    throw new Error(message);
  }
  return data;
}

// -- building blocks ------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Show the end of the conversation, or, when the newest reply is taller than the view, the
// question and the start of the reply (people read from the top).
function scrollToEnd() {
  const main = log.parentElement;
  const last = log.lastElementChild;
  if (last && last.classList.contains("bot") && last.offsetHeight > main.clientHeight * 0.7) {
    const question = last.previousElementSibling || last;
    main.scrollTop = question.offsetTop - 8;
  } else {
    main.scrollTop = main.scrollHeight;
  }
}

function addUser(text) {
  const item = el("li", "msg user");
  item.append(el("span", "visually-hidden", "You said: "), el("p", null, text));
  log.append(item);
  scrollToEnd();
}

// Text of a reply as paragraphs and lists: lines starting with "- " are list items.
function renderText(text) {
  const box = el("div", "text");
  let list = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("- ")) {
      if (!list) { list = el("ul"); box.append(list); }
      list.append(el("li", null, line.slice(2)));
    } else {
      list = null;
      if (line.trim()) box.append(el("p", null, line));
    }
  }
  return box;
}

function renderSources(citations) {
  if (!citations || !citations.length) return null;
  const box = el("div", "sources");
  box.append(el("h3", null, citations.length === 1 ? "Source" : "Sources"));
  const list = el("ul");
  for (const c of citations) {
    const item = el("li");
    item.append(el("cite", null, c.title));
    if (c.section) item.append(document.createTextNode(" — " + c.section));
    list.append(item);
  }
  box.append(list);
  return box;
}

// -- salary bars ----------------------------------------------------------------------------

const FIGURE = /^(~)?\$([\d,]+)(?:\s*[–-]\s*\$([\d,]+))?(\+)?\s*(.*)$/;

function money(n) {
  return n >= 1000 ? "$" + Math.round(n / 1000) + "k" : "$" + n;
}

// Salary lines ("- Label: $X", "- Label: $X–$Y basis (source); $Z ...") grouped under the
// heading line above them; null unless there are at least two such lines.
function salaryRows(text) {
  const rows = [];
  let heading = "";
  for (const line of text.split("\n")) {
    if (!line.startsWith("- ")) {
      // a short line ending with ":" heads the figures below it ("By region (guide):")
      const title = line.trim().endsWith(":") ? line.trim().slice(0, -1).replace(/\s*\(.*\)$/, "") : "";
      heading = title.length <= 40 ? title : "";
      continue;
    }
    const body = line.slice(2);
    const colon = body.search(/:\s+~?\$/);
    const label = colon > 0 ? body.slice(0, colon) : "";
    const figures = [];
    for (const segment of (colon > 0 ? body.slice(colon + 1) : body).split(/;\s*/)) {
      const m = segment.trim().match(FIGURE);
      if (!m) continue;
      const low = Number(m[2].replace(/,/g, ""));
      const high = m[3] ? Number(m[3].replace(/,/g, "")) : low;
      const note = m[5].replace(/\(.*\)\s*$/, "").trim();
      figures.push({ low, high, approx: !!m[1], open: !!m[4], note });
    }
    if (figures.length) rows.push({ heading, label: label || figures[0].note || "figure", figures });
  }
  return rows.length >= 2 ? rows : null;
}

function renderChart(rows) {
  const top = Math.max(...rows.flatMap(r => r.figures.map(f => f.high))) * 1.12;
  const figure = el("figure", "chart");
  const ranges = rows.some(r => r.figures.some(f => f.low !== f.high || f.open));
  figure.append(el("figcaption", null, "Pay compared, on a scale from $0 to " + money(top) +
    (ranges ? " (a range is drawn from its low to its high figure)" : "")));
  let group = null;
  let heading = null;
  for (const row of rows) {
    if (!group || row.heading !== heading) {
      heading = row.heading;
      if (heading) figure.append(el("p", "chart-heading", heading));
      group = el("ul", "bars");
      figure.append(group);
    }
    const item = el("li");
    item.append(el("span", "bar-label", row.label));
    for (const f of row.figures) {
      const line = el("span", "bar-line");
      const track = el("span", "track");
      track.setAttribute("aria-hidden", "true");
      // a range is a bar from its low to its high figure; a single figure a bar from zero
      const single = f.low === f.high && !f.open;
      const bar = el("span", "bar" + (f.open ? " open" : "") + (single ? "" : " range"));
      const left = single ? 0 : (f.low / top) * 100;
      const width = f.open ? 100 - left : Math.max(((f.high - left / 100 * top) / top) * 100, 1.2);
      bar.style.left = left + "%";
      bar.style.width = width + "%";
      track.append(bar);
      let value = (f.approx ? "~" : "") + money(f.low);
      if (f.high !== f.low) value += "–" + money(f.high);
      if (f.open) value += "+";
      const noteWord = f.note && row.label !== f.note ? " " + f.note.replace(/ salary$/, "").replace(/^total compensation$/, "total") : "";
      line.append(track, el("span", "bar-value", value + noteWord));
      item.append(line);
    }
    group.append(item);
  }
  return figure;
}

// -- replies --------------------------------------------------------------------------------

// What the joined text of a multi-part reply says before each part (its question).
function headings(reply) {
  let start = 0;
  return reply.parts.map(part => {
    const at = part.text ? reply.text.indexOf(part.text, start) : -1;
    if (at < 0) return "";
    const heading = reply.text.slice(start, at).trim();
    start = at + part.text.length;
    return heading;
  });
}

function renderPart(reply, heading) {
  const part = el("section", "part kind-" + reply.kind);
  if (heading) part.append(el("h2", "part-heading", heading));
  if (reply.kind === "decline") part.append(el("p", "badge", "Not in the guides"));
  if (reply.kind === "clarify") part.append(el("p", "badge", "Which did you mean?"));
  const rows = reply.kind === "decline" ? null : salaryRows(reply.text);
  const content = el("div", rows ? "content with-chart" : "content");
  content.append(renderText(reply.text));
  if (rows) content.append(renderChart(rows));
  part.append(content);
  const sources = renderSources(reply.citations);
  if (sources) part.append(sources);
  return part;
}

function addBot(reply) {
  const item = el("li", "msg bot" + (reply.kind === "decline" ? " decline" : ""));
  item.append(el("span", "visually-hidden", reply.kind === "decline" ? "careerbot could not answer: " : "careerbot said: "));
  if (reply.notice) item.append(el("p", "notice", reply.notice));
  if (reply.parts && reply.parts.length) {
    const titles = headings(reply);
    reply.parts.forEach((part, i) => item.append(renderPart(part, titles[i])));
  } else {
    item.append(renderPart(reply, ""));
  }
  log.append(item);
  showSuggestions(reply.suggestions || []);
  scrollToEnd();
}

function addProblem(message) {
  const item = el("li", "msg problem");
  item.setAttribute("role", "alert");
  item.append(el("p", null, "Sorry, that did not reach the bot: " + message));
  log.append(item);
  scrollToEnd();
}

function showSuggestions(texts) {
  suggestions.replaceChildren();
  if (!texts.length) return;
  suggestions.append(el("span", "suggestions-label", "Try:"));
  for (const text of texts) {
    const button = el("button", "suggestion", text);
    button.type = "button";
    button.addEventListener("click", () => ask(text));
    suggestions.append(button);
  }
}

let busy = false;

async function ask(text) {
  text = text.trim();
  if (!text || busy) return;
  busy = true;
  send.disabled = true;
  log.setAttribute("aria-busy", "true");
  addUser(text);
  input.value = "";
  const typing = el("li", "msg bot typing", "…");
  typing.setAttribute("aria-label", "careerbot is answering");
  log.append(typing);
  try {
    const reply = await api("POST", "/v1/reply", { session: sessionId(), text });
    typing.remove();
    addBot(reply);
  } catch (error) {
    typing.remove();
    addProblem(error.message);
  } finally {
    busy = false;
    send.disabled = false;
    log.removeAttribute("aria-busy");
    input.focus();
  }
}

async function welcome() {
  const item = el("li", "msg bot welcome");
  item.append(renderText("Hi! I answer questions about becoming and growing as a Machine Learning engineer: pay, skills, companies, interviews and how to get started. Every answer says which guide it comes from."));
  log.append(item);
  try {
    const topics = await api("GET", "/v1/topics");
    showSuggestions(topics.starters || []);
  } catch (error) {
    addProblem(error.message);
  }
}

async function reset() {
  const old = localStorage.getItem(SESSION_KEY);
  localStorage.setItem(SESSION_KEY, newSessionId());
  log.replaceChildren();
  if (old) api("DELETE", "/v1/sessions/" + encodeURIComponent(old)).catch(() => {});
  await welcome();
  input.focus();
}

form.addEventListener("submit", event => {
  event.preventDefault();
  ask(input.value);
});
document.getElementById("reset").addEventListener("click", reset);
welcome();
input.focus();
