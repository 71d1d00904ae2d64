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
  let currentStatus = "";
  // The approval the plan asked for: total, threshold and expires_at from the stream or the task; decision and
  // decided_by from the task once someone decided. Null when the plan needed none.
  let approval = null;
  let deciding = false;

  function setStatus(status) {
    const badge = $("status");
    badge.textContent = status;
    badge.className = `badge ${status}`;
    document.title = `${status}: research task`;
    currentStatus = status;
    showApproval();
  }

  // Approve and Reject only while the task waits and nobody has decided; after that, the decision and who made it.
  function showApproval() {
    const section = $("approval-section");
    if (!approval) {
      section.hidden = true;
      return;
    }
    const { total, threshold, expires_at: expiresAt, decision, decided_by: decidedBy } = approval;
    const waiting = !decision && currentStatus === "AwaitingApproval";
    section.hidden = false;
    section.classList.toggle("waiting", waiting);
    const ended = ["Completed", "Failed", "Cancelled"].includes(currentStatus);
    $("approval-summary").textContent = decision
      ? `The plan cost ${total}, above the approval threshold of ${threshold}.`
      : ended
        ? `The plan cost ${total}, above the approval threshold of ${threshold}; nobody approved it, and nothing was paid.`
        : `The plan costs ${total}, above the approval threshold of ${threshold}: nothing is paid before it is approved.`;
    // Undecided and ended (timed out, cancelled): the task's error says why.
    const expiry = $("approval-expiry");
    expiry.hidden = !waiting;
    expiry.replaceChildren("It waits for a decision until ", el("time", { datetime: expiresAt }, dateTime(expiresAt)), "; then the task is cancelled.");
    const shown = $("approval-decision");
    shown.hidden = !decision;
    shown.className = `decision ${decision || ""}`;
    shown.textContent = decision ? `${decision} by ${decidedBy || "someone"}.` : "";
    $("approval-actions").hidden = !waiting;
    $("approve").disabled = $("reject").disabled = deciding;
  }

  async function refreshApproval() {
    const task = await call(path);
    if (task.ok && task.body.approval) {
      approval = task.body.approval;
      showApproval();
    }
  }

  async function decide(action) {
    deciding = true;
    showApproval();
    $("approval-status").textContent = action === "approve" ? "Approving…" : "Rejecting…";
    let response;
    try {
      response = await call(`${path}/${action}`, { method: "POST" });
    } catch {
      response = { ok: false, status: 0, body: { detail: "the Api could not be reached" } };
    } finally {
      deciding = false;
    }
    const detail = response.body && typeof response.body.detail === "string" ? `: ${response.body.detail}` : "";
    $("approval-status").textContent = response.ok
      ? (action === "approve" ? "Approved: the task goes on to pay." : "Rejected: the task is cancelled, nothing paid.")
      : `Not recorded (HTTP ${response.status})${detail}`;
    await refreshApproval();
    showApproval();
  }

  $("approve").addEventListener("click", () => decide("approve"));
  $("reject").addEventListener("click", () => decide("reject"));

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

  // A reused item is read from the owner's earlier purchase and not paid again: shown apart, with that task.
  function showItemStatus(entry, status, reusedFrom) {
    const reused = status === "Reused";
    entry.row.classList.toggle("reused", reused);
    if (!reused) {
      entry.status.textContent = status;
      return;
    }
    entry.status.replaceChildren(el("span", { class: "badge Reused" }, "Reused"));
    if (reusedFrom) {
      const earlier = String(reusedFrom);
      entry.status.append(" from ", el("a", { href: `/tasks/${encodeURIComponent(earlier)}/view`, title: `Bought in task ${earlier}; not paid again` }, `task ${earlier.slice(0, 8)}`));
    }
  }

  const setItemStatus = (item, status) => {
    const entry = planRows.get(item);
    if (entry) showItemStatus(entry, status);
  };

  const handlers = {
    state({ from, to, at }) {
      $("timeline").append(el("li", {}, el("time", { datetime: at }, time(at)), " ", el("span", { class: `badge ${to}` }, to), ` (from ${from})`));
      setStatus(to);
      // Whoever decided (here, elsewhere, or the timeout): the task says who.
      if (from === "AwaitingApproval" && approval && !approval.decision) refreshApproval();
    },
    quote({ item, title, price }) {
      planRow(item, title, price);
    },
    plan({ items, total }) {
      const planned = new Set(items.map((i) => i.item));
      for (const i of items) {
        const entry = planRow(i.item, i.title, i.price);
        entry.score.textContent = i.score.toFixed(2);
        showItemStatus(entry, i.reused_from ? "Reused" : "Planned", i.reused_from);
      }
      for (const [item, entry] of planRows) if (!planned.has(item)) showItemStatus(entry, "Not chosen");
      const reused = items.filter((i) => i.reused_from).length;
      $("plan-total").textContent = `${items.length} planned, ${total} in all, of a budget of ${budget}.`
        + (reused ? ` ${reused} of them already owned: reused, not paid again.` : "");
    },
    approval({ total, threshold, expires_at: expiresAt }) {
      approval = { ...(approval || {}), total, threshold, expires_at: expiresAt };
      showApproval();
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
        showItemStatus(entry, p.status, p.reused_from);
      }
      if (task.body.approval) {
        approval = task.body.approval;
        showApproval();
      }
    }
    if (status === "Completed") await showReport();
    else $("report-status").textContent = `No report: the task ended ${status}.`;
    await showReceipts();
    await showAudit();
  }

  // The digest shortened on the page; the whole of it in the title and for copying.
  const digest = (sha) => (sha ? el("code", { title: sha }, `${String(sha).slice(0, 12)}…`) : "–");

  async function showReceipts() {
    const receipts = await call(`${path}/receipts`);
    if (!receipts.ok || !Array.isArray(receipts.body)) {
      $("receipts-status").textContent = `The receipts could not be loaded (HTTP ${receipts.status}).`;
      return;
    }
    if (receipts.body.length === 0) {
      $("receipts-status").textContent = "No receipts: nothing was bought.";
      return;
    }
    const rows = $("receipts").querySelector("tbody");
    rows.replaceChildren(...receipts.body.map((r) => el("tr", { class: r.reused_from ? "reused" : null },
      el("td", { class: "num" }, r.item), el("td", {}, r.title),
      el("td", { class: "num" }, r.reused_from ? `${r.amount} (reused)` : r.amount),
      el("td", {}, r.paid_at ? el("time", { datetime: r.paid_at }, dateTime(r.paid_at)) : "–"),
      el("td", { class: "mono" }, r.reference ?? "–"),
      el("td", { class: "mono" }, digest(r.data_sha256)))));
    $("receipts").hidden = false;
    $("receipts-status").textContent = `${receipts.body.length} ${receipts.body.length === 1 ? "receipt" : "receipts"}.`;
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
    approval = null;
    $("approval-status").textContent = "";
    $("receipts").hidden = true;
    $("receipts").querySelector("tbody").replaceChildren();
    $("receipts-status").textContent = "Shown once the task has ended.";

    const task = await call(path);
    if (!task.ok) {
      setStatus(task.status === 404 ? "Not found" : `HTTP ${task.status}`);
      return;
    }
    approval = task.body.approval || null;
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
