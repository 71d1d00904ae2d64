"use strict";

(() => {
  // The page shows one task at /tasks/{id}/view (view.js), the list anywhere else.
  if (Api.viewedTaskId() !== null) return;
  document.getElementById("main").append(document.getElementById("list-page").content);
  const { call, el, dateTime } = Api;
  const rows = document.querySelector("#tasks tbody");
  const tasksStatus = document.getElementById("tasks-status");
  const more = document.getElementById("more");
  let next = null;

  async function loadTasks(append = false) {
    const query = new URLSearchParams({ limit: "20" });
    if (append && next) query.set("after", next);
    const response = await call(`/tasks?${query}`);
    if (!response.ok) {
      tasksStatus.textContent = response.status === 401 ? "Set a token to see your tasks." : `Your tasks could not be listed (HTTP ${response.status}).`;
      more.hidden = true;
      return;
    }
    if (!append) rows.replaceChildren();
    for (const task of response.body.tasks) {
      rows.append(el("tr", {},
        el("td", {}, el("a", { href: `/tasks/${encodeURIComponent(task.task_id)}/view` }, task.theme)),
        el("td", {}, el("span", { class: `badge ${task.status}` }, task.status)),
        el("td", { class: "num" }, `${task.spent} / ${task.budget}`),
        el("td", {}, dateTime(task.created_at))));
    }
    next = response.body.next;
    more.hidden = !next;
    tasksStatus.textContent = rows.children.length ? "" : "No tasks yet.";
  }

  document.getElementById("submit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const status = document.getElementById("submit-status");
    const budget = Number(form.budget.value);
    const body = { theme: form.theme.value, budget: Number.isInteger(budget) ? budget : form.budget.value, voice_id: form.voice_id.value };
    status.textContent = "Submitting…";
    const response = await call("/tasks", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (response.ok) {
      window.location.assign(`/tasks/${encodeURIComponent(response.body.task_id)}/view`);
      return;
    }
    const detail = response.body && response.body.detail;
    status.textContent = Array.isArray(detail)
      ? detail.map((problem) => `${problem.loc[problem.loc.length - 1]}: ${problem.msg}`).join("; ")
      : `Not accepted (HTTP ${response.status})${typeof detail === "string" ? `: ${detail}` : ""}`;
    const field = Array.isArray(detail) && form.elements[detail[0].loc[1]];
    if (field) field.focus();
  });

  more.addEventListener("click", () => loadTasks(true));
  Api.setUpToken(() => loadTasks());
  loadTasks();
})();
