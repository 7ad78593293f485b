// optimus serve: the page. The session id lives in this script's memory only (no
// cookie, no storage), so every tab has its own session.
"use strict";
(function () {
  let session = null;
  let hasModel = false;
  const $ = (id) => document.getElementById(id);

  function text(el, value) { el.textContent = value == null ? "" : String(value); return el; }
  function make(tag, cls, value) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (value != null) text(el, value);
    return el;
  }
  function showError(message, fix) {
    const box = $("error");
    box.replaceChildren(make("strong", null, message));
    if (fix) box.appendChild(make("div", "fix", "fix: " + fix));
    box.hidden = false;
  }
  function clearError() { $("error").hidden = true; $("error").replaceChildren(); }
  function busy(on) {
    $("busy").hidden = !on;
    for (const id of ["send", "open-button", "new"]) $(id).disabled = on;
  }
  function headers() { return { "X-Session": session }; }

  async function newSession() {
    const r = await fetch("/api/session", { method: "POST" });
    const j = await r.json();
    session = j.session;
    const notice = $("notice");
    if (j.offline) {
      text(notice, j.notice);
      notice.hidden = false;
    } else {
      text(notice, "Formulator: " + j.formulator);
      notice.hidden = false;
    }
    notice.dataset.formulator = j.formulator;
  }

  function reset() {
    hasModel = false;
    $("log").replaceChildren();
    $("model").replaceChildren();
    $("progress").replaceChildren();
    $("downloads").hidden = true;
    text($("attached"), "");
    text($("problem-label"), "Your problem");
    text($("send"), "Solve");
    clearError();
  }

  function diffBlock(diff) {
    const pre = make("pre", "diff");
    for (const line of diff.split("\n")) {
      let cls = "ctx";
      if (line.startsWith("+") && !line.startsWith("+++")) cls = "add";
      else if (line.startsWith("-") && !line.startsWith("---")) cls = "del";
      else if (line.startsWith("@@")) cls = "hunk";
      pre.appendChild(make("span", cls, line + "\n"));
    }
    return pre;
  }

  function showTurn(t) {
    const entry = make("div", "turn " + (t.kind || ""));
    if (t.text) entry.appendChild(make("p", "turn-text", t.text));
    if (t.message) entry.appendChild(make("p", "message", t.message));
    if (t.status) {
      const line = make("p", "outcome");
      line.appendChild(make("span", "status " + t.status, t.status));
      if (t.objective != null) line.appendChild(make("span", "objective", " objective " + t.objective));
      entry.appendChild(line);
    }
    if (t.diff && t.kind !== "solved") entry.appendChild(diffBlock(t.diff));
    if (t.change_html) {
      const box = make("div", "change-box");
      box.innerHTML = t.change_html;  // rendered and escaped by the server
      entry.appendChild(box);
    }
    $("log").appendChild(entry);
    if (t.formulation_html || t.result_html) {
      // rendered and escaped by the server (MathML for the math)
      $("model").innerHTML = (t.result_html || "") + (t.formulation_html || "") + (t.attempts_html || "");
    }
    hasModel = !!t.has_model;
    $("downloads").hidden = !hasModel;
    if (hasModel) {
      text($("problem-label"), "Change the model (or ask a what-if question)");
      text($("send"), "Apply");
    }
    entry.scrollIntoView({ block: "nearest" });
  }

  function handle(event, data) {
    if (event === "start") {
      const you = make("div", "you");
      you.appendChild(make("span", "who", data.editing ? "change" : "you"));
      you.appendChild(make("span", null, " " + data.text));
      $("log").appendChild(you);
      $("progress").replaceChildren(make("p", "working", data.editing ? "Applying the change…" : "Formulating and solving…"));
    } else if (event === "attempt") {
      const line = make("p", "attempt");
      line.appendChild(make("strong", null, "Attempt " + data.number + ": "));
      line.appendChild(make("span", "status " + data.status, data.status));
      if (data.objective != null) line.appendChild(make("span", null, " (objective " + data.objective + ")"));
      if (data.found) line.appendChild(make("span", "found", " — " + data.found));
      $("progress").appendChild(line);
    } else if (event === "turn") {
      const working = $("progress").querySelector(".working");
      if (working) text(working, "Done.");
      showTurn(data);
    } else if (event === "error") {
      const working = $("progress").querySelector(".working");
      if (working) text(working, "Stopped.");
      showError(data.message, data.fix);
    }
  }

  async function postStream(url, body) {
    clearError();
    busy(true);
    try {
      const r = await fetch(url, { method: "POST", headers: headers(), body: body });
      if (!r.ok || !r.body) {
        let j = {};
        try { j = await r.json(); } catch (e) { j = { error: "HTTP " + r.status }; }
        showError(j.error || ("HTTP " + r.status), j.fix);
        return;
      }
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (event !== "done") handle(event, data ? JSON.parse(data) : {});
        }
      }
    } catch (e) {
      showError("The server could not be reached: " + e.message, "Is optimus serve still running?");
    } finally {
      busy(false);
    }
  }

  async function uploadFiles(input) {
    if (!input.files || input.files.length === 0) return true;
    const fd = new FormData();
    for (const f of input.files) fd.append("files", f, f.name);
    const r = await fetch("/api/upload", { method: "POST", headers: headers(), body: fd });
    const j = await r.json();
    if (!r.ok) { showError(j.error, j.fix); return false; }
    input.value = "";
    text($("attached"), "attached: " + j.files.join(", ") + (j.notice ? " (" + j.notice + ")" : ""));
    return true;
  }

  async function download(kind) {
    clearError();
    const r = await fetch("/api/download/" + encodeURIComponent(kind), { headers: headers() });
    if (!r.ok) {
      const j = await r.json();
      showError(j.error, j.fix);
      return;
    }
    const disposition = r.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(disposition);
    const blob = await r.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = m ? m[1] : kind;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    await newSession();
    $("ask").addEventListener("submit", async (e) => {
      e.preventDefault();
      const problem = $("problem").value;
      if (!problem.trim()) return;
      if (!(await uploadFiles($("data")))) return;
      const fd = new FormData();
      fd.append("problem", problem);
      await postStream("/api/message", fd);
      if (!$("error").hidden) return;
      $("problem").value = "";
    });
    $("open-button").addEventListener("click", () => $("model-file").click());
    $("model-file").addEventListener("change", async () => {
      const input = $("model-file");
      if (!input.files || input.files.length === 0) return;
      if (!(await uploadFiles($("data")))) return;
      const fd = new FormData();
      fd.append("model", input.files[0], input.files[0].name);
      input.value = "";
      $("model").replaceChildren();
      await postStream("/api/open", fd);
    });
    $("data").addEventListener("change", () => uploadFiles($("data")));
    $("new").addEventListener("click", async () => {
      if (session) fetch("/api/close", { method: "POST", headers: headers() });
      reset();
      await newSession();
    });
    for (const b of document.querySelectorAll("#downloads button")) {
      b.addEventListener("click", () => download(b.dataset.kind));
    }
    document.body.dataset.ready = "1";
  });
})();
