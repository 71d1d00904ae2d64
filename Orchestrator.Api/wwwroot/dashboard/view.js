"use strict";

(() => {
  const { call, follow, el, time, dateTime } = Api;
  const taskId = Api.viewedTaskId();
  if (taskId === null) return;
  document.getElementById("main").append(document.getElementById("task-page").content);
  document.getElementById("nav").hidden = false;
  document.getElementById("heading").textContent = document.title = "Research task";
  const path = `/tasks/${encodeURIComponent(taskId)}`;
  const $ = (id) => document.getElementById(id);
  const planRows = new Map(); // item -> { row, status cell }
  let budget = 0;
  let following = null;

  function setStatus(status) {
    const badge = $("status");
    badge.textContent = status;
    badge.className = `badge ${status}`;
    document.title = `${status}: research task`;
  }

  function setSpent(spent) {
    $("spent").textContent = String(spent);
    const remaining = Math.max(budget - spent, 0);
    const bar = $("burn");
    bar.setAttribute("aria-valuemax", String(budget));
    bar.setAttribute("aria-valuenow", String(remaining));
    bar.setAttribute("aria-valuetext", `${remaining} of ${budget} remaining`);
    $("burn-fill").style.width = budget > 0 ? `${(100 * remaining) / budget}%` : "0";
    $("burn-label").textContent = `Budget remaining: ${remaining} of ${budget}`;
  }

  function planRow(item, title, price) {
    if (planRows.has(item)) return planRows.get(item);
    const status = el("td", {}, "Quoted");
    const score = el("td", { class: "num" }, "–");
    const row = el("tr", {}, el("td", { class: "num" }, item), el("td", {}, title), el("td", { class: "num" }, price), score, status);
    $("plan").querySelector("tbody").append(row);
    const entry = { row, status, score };
    planRows.set(item, entry);
    return entry;
  }

  const setItemStatus = (item, status) => {
    const entry = planRows.get(item);
    if (entry) entry.status.textContent = status;
  };

  const handlers = {
    state({ from, to, at }) {
      $("timeline").append(el("li", {}, el("time", { datetime: at }, time(at)), " ", el("span", { class: `badge ${to}` }, to), ` (from ${from})`));
      setStatus(to);
    },
    quote({ item, title, price }) {
      planRow(item, title, price);
    },
    plan({ items, total }) {
      const planned = new Set(items.map((i) => i.item));
      for (const i of items) {
        const entry = planRow(i.item, i.title, i.price);
        entry.score.textContent = i.score.toFixed(2);
        entry.status.textContent = "Planned";
      }
      for (const [item, entry] of planRows) if (!planned.has(item)) entry.status.textContent = "Not chosen";
      $("plan-total").textContent = `${items.length} planned, ${total} in all, of a budget of ${budget}.`;
    },
    payment({ item, outcome, spent }) {
      setItemStatus(item, { paid: "Paid", unconfirmed: "Unconfirmed", unpaid: "Not paid" }[outcome] || outcome);
      setSpent(spent);
    },
    source({ item }) {
      setItemStatus(item, "Fetched");
    },
    final({ status, spent, error }) {
      setStatus(status);
      setSpent(spent);
      if (error) {
        $("error").hidden = false;
        $("error").textContent = `${error.error}: ${error.message}`;
      }
      finished(status);
    },
  };

  async function finished(status) {
    const task = await call(path);
    if (task.ok) {
      // The trace id is recorded when the workflow picks the task up, after the page first read it.
      $("trace").textContent = task.body.trace_id || "–";
      for (const p of task.body.plan || []) {
        const entry = planRow(p.item, p.title, p.price);
        entry.score.textContent = Number(p.score).toFixed(2);
        entry.status.textContent = p.status;
      }
    }
    if (status === "Completed") await showReport();
    else $("report-status").textContent = `No report: the task ended ${status}.`;
    await showAudit();
  }

  async function showReport() {
    const report = await call(`${path}/report.html`);
    if (!report.ok) {
      $("report-status").textContent = `The report could not be loaded (HTTP ${report.status}).`;
      return;
    }
    // Rendered by the server with raw HTML disabled, and shown in a frame that may run nothing.
    const frame = $("report");
    frame.srcdoc = report.body;
    frame.hidden = false;
    $("report-status").textContent = "";
  }

  async function showAudit() {
    const audit = await call(`${path}/audit`);
    if (!audit.ok || !Array.isArray(audit.body)) {
      $("audit-status").textContent = audit.status === 404 ? "No audit trail is available for this task." : `The audit trail could not be loaded (HTTP ${audit.status}).`;
      return;
    }
    const rows = $("audit").querySelector("tbody");
    rows.replaceChildren(...audit.body.map((e) => el("tr", {},
      el("td", {}, el("time", { datetime: e.at }, dateTime(e.at))),
      el("td", {}, e.actor), el("td", {}, e.action), el("td", { class: "num" }, e.item ?? ""),
      el("td", { class: "num" }, e.amount ?? ""), el("td", {}, e.outcome ?? ""))));
    $("audit").hidden = false;
    $("audit-status").textContent = `${audit.body.length} entries.`;
  }

  async function load() {
    if (following) following.abort();
    following = new AbortController();
    for (const id of ["timeline"]) $(id).replaceChildren();
    $("plan").querySelector("tbody").replaceChildren();
    planRows.clear();

    const task = await call(path);
    if (!task.ok) {
      setStatus(task.status === 404 ? "Not found" : `HTTP ${task.status}`);
      return;
    }
    budget = task.body.budget;
    $("heading").textContent = task.body.theme;
    $("task-budget").textContent = String(budget);
    $("trace").textContent = task.body.trace_id || "–";
    setSpent(0);
    const result = await follow(`${path}/events`, (event) => handlers[event.type] && handlers[event.type](event.data), { signal: following.signal });
    if (!result.ok && result.status) setStatus(`stream unavailable (HTTP ${result.status})`);
  }

  Api.setUpToken(load);
  load();
})();
