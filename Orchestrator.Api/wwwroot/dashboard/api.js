// Shared by the dashboard's two views (the list and one task): the caller's token, API calls, the progress stream, and DOM helpers.
// Everything from the API is put on the page as text (textContent), never parsed as markup.
"use strict";

const Api = (() => {
  const tokenKey = "orchestrator.token";

  // sessionStorage: the token lives as long as this tab, is never put in a URL and is sent only as a header.
  const token = () => sessionStorage.getItem(tokenKey) || "";
  const headers = (extra = {}) => (token() ? { ...extra, Authorization: `Bearer ${token()}` } : extra);

  async function config() {
    const response = await fetch("/dashboard/config");
    return response.ok ? response.json() : { auth_mode: "None" };
  }

  // Shows the token form when the Api wants one; calls onToken after the user sets it.
  async function setUpToken(onToken) {
    const { auth_mode: mode } = await config();
    if (mode !== "Jwt") return;
    const section = document.getElementById("token-section");
    const input = document.getElementById("token");
    section.hidden = false;
    input.value = token();
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(tokenKey, input.value.trim());
      onToken();
    });
  }

  // The task id of a /tasks/{id}/view address, or null on any other (the list).
  function viewedTaskId() {
    const match = /^\/tasks\/([^/]+)\/view$/.exec(window.location.pathname);
    return match ? decodeURIComponent(match[1]) : null;
  }

  async function call(path, options = {}) {
    const response = await fetch(path, { ...options, headers: headers(options.headers) });
    let body = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) body = await response.json();
    else if (type.startsWith("text/")) body = await response.text();
    return { ok: response.ok, status: response.status, body };
  }

  // Reads a Server-Sent Events stream with fetch, so that the token goes in a header (EventSource cannot send
  // one). Reconnects after a network error with Last-Event-ID, so no event is lost; stops after `final`.
  async function follow(path, onEvent, { signal } = {}) {
    let lastId = "";
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(path, {
          headers: headers(lastId ? { Accept: "text/event-stream", "Last-Event-ID": lastId } : { Accept: "text/event-stream" }),
          signal,
        });
        if (!response.ok) return { ok: false, status: response.status };
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = parse(block);
            if (!event) continue;
            lastId = event.id || lastId;
            onEvent(event);
            if (event.type === "final") return { ok: true };
          }
        }
      } catch (error) {
        if (signal && signal.aborted) return { ok: false, status: 0 };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 10000)));
    }
  }

  function parse(block) {
    let id = "", type = "message", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue; // a heartbeat
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") type = value;
      else if (field === "data") data += (data ? "\n" : "") + value;
    }
    return data ? { id, type, data: JSON.parse(data) } : null;
  }

  // Creates an element whose children are elements or strings; strings become text nodes, never markup.
  function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") element.className = value;
      else element.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
    return element;
  }

  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");
  const dateTime = (iso) => (iso ? new Date(iso).toLocaleString() : "");

  return { setUpToken, viewedTaskId, call, follow, el, time, dateTime };
})();
