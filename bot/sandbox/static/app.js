// mlorg try: the page's script. The server draws everything; this file swaps the HTML
// fragments that changed, sends what the person does, and redraws on server-sent events.
// It never turns text into markup: fragments come from the server's escaping renderer.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("config").textContent);
  // Where this workspace's page lives: "" for the first, "/w/<team id>" for the others.
  const BASE = config.base || "";
  const stored = (key, fallback) => {
    try { return window.localStorage.getItem(key) || fallback; } catch (_e) { return fallback; }
  };
  const remember = (key, value) => {
    try { window.localStorage.setItem(key, value); } catch (_e) { /* private mode: fine */ }
  };
  const query = new URLSearchParams(window.location.search);
  const state = {
    user: query.get("user") || stored("mlorg.user", config.people[0].id),
    conv: query.get("conv") || stored("mlorg.conv", "C0GENERAL"),
    tab: "home",
    thread: "",
    traffic: false,
  };
  if (!config.people.some((p) => p.id === state.user)) state.user = config.people[0].id;
  const $ = (id) => document.getElementById(id);
  const targets = {
    sidebar: $("sidebar"), header: $("conv-header"), messages: $("messages"), thread: $("thread-body"),
    modal: $("modal-root"), warnings: $("warnings"), traffic: $("traffic"),
  };
  const keys = {};
  let inflight = null;
  let again = false;

  // -- drawing -----------------------------------------------------------------------------
  function apply(data) {
    for (const [name, fragment] of Object.entries(data.fragments)) {
      if (keys[name] === fragment.key) continue;
      if (name === "traffic" && !state.traffic) continue;
      const target = targets[name];
      const scroller = name === "messages" ? target : name === "thread" ? target : null;
      const atBottom = scroller ? scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80 : false;
      target.innerHTML = fragment.html;
      keys[name] = fragment.key;
      if (scroller && (atBottom || !scroller.dataset.scrolled)) {
        scroller.scrollTop = scroller.scrollHeight;
        scroller.dataset.scrolled = "1";
      }
    }
    $("traffic-count").textContent = String(data.trafficCount);
    $("thread-pane").hidden = !state.thread;
    const homeTab = state.conv === config.appConversation && state.tab === "home";
    $("composer").hidden = homeTab;
    const input = $("composer-input");
    input.placeholder = state.conv === config.appConversation
      ? "Slash commands only: sending messages to this app has been turned off"
      : "Message, /mlorg …, or @mlorg …";
    document.body.dataset.seq = String(data.seq);
    document.body.dataset.user = state.user;
    document.body.dataset.conv = state.conv;
  }

  function refresh() {
    if (inflight) { again = true; return inflight; }
    inflight = (async () => {
      do {
        again = false;
        const params = new URLSearchParams({
          user: state.user, conv: state.conv, tab: state.tab, thread: state.thread, traffic: state.traffic ? "1" : "0",
        });
        try {
          const response = await fetch(BASE + "/ui/screen?" + params.toString());
          if (response.ok) apply(await response.json());
        } catch (_e) {
          toast("The local workspace is not answering. Is mlorg try still running?");
          break;
        }
      } while (again);
    })().finally(() => { inflight = null; });
    return inflight;
  }

  function toast(text) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(() => { box.hidden = true; }, 4000);
  }

  async function post(path, body) {
    const response = await fetch(BASE + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: state.user, ...body }),
    });
    const answer = response.ok ? await response.json() : { ok: false, error: "http_" + response.status };
    if (!answer.ok && answer.error && !QUIET.has(answer.error)) toast("Slack: " + answer.error);
    await refresh();
    return answer;
  }
  // Outcomes the page already shows in the conversation (a Slackbot note, an error under a field).
  const QUIET = new Set(["operation_timeout", "dispatch_failed", "unknown_command", "messages_tab_read_only", "required_fields"]);

  // -- reading what the person picked ---------------------------------------------------------
  function valueOf(control) {
    if (control.tagName === "SELECT") {
      if (control.multiple) return Array.from(control.selectedOptions).map((o) => o.value);
      return control.value || null;
    }
    if (control.classList.contains("bk-choices")) {
      const picked = Array.from(control.querySelectorAll("input:checked")).map((i) => i.value);
      return control.dataset.kind === "checkboxes" ? picked : (picked[0] || null);
    }
    return control.value;
  }

  function collectState(root) {
    const values = {};
    root.querySelectorAll("[data-kind]").forEach((control) => {
      if (control.dataset.kind === "button") return;
      const block = control.dataset.blockId;
      (values[block] = values[block] || {})[control.dataset.actionId] = valueOf(control);
    });
    return values;
  }

  function where(element) {
    const view = element.closest("[data-surface='view']");
    if (view) return { view_id: view.dataset.viewId, state: collectState(view) };
    const message = element.closest(".msg");
    return { conv: message.dataset.channel, ts: message.dataset.ts };
  }

  function act(control, value) {
    return post("/ui/action", {
      ...where(control), block_id: control.dataset.blockId, action_id: control.dataset.actionId, value,
    });
  }

  // -- clicks and changes ------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button, [data-conv]");
    if (!target) return;
    if (target.dataset.conv) {
      state.conv = target.dataset.conv;
      state.thread = "";
      remember("mlorg.conv", state.conv);
      if (state.conv === config.appConversation) {
        state.tab = "home";
        post("/ui/open", { tab: "home" });
      }
      refresh();
    } else if (target.dataset.tab) {
      state.tab = target.dataset.tab;
      post("/ui/open", { tab: state.tab });
    } else if (target.dataset.openThread) {
      state.thread = target.dataset.openThread;
      refresh().then(() => $("thread-input").focus());
    } else if (target.id === "thread-close") {
      state.thread = "";
      refresh();
    } else if (target.id === "traffic-toggle") {
      state.traffic = !state.traffic;
      target.setAttribute("aria-expanded", String(state.traffic));
      $("traffic").hidden = !state.traffic;
      delete keys.traffic;
      refresh();
    } else if (target.dataset.kind === "button") {
      act(target, null);
    } else if (target.dataset.modalSubmit) {
      const body = target.closest(".modal").querySelector(".modal-body");
      post("/ui/submit", { view_id: target.dataset.modalSubmit, state: collectState(body) });
    } else if (target.dataset.modalClose) {
      post("/ui/close", { view_id: target.dataset.modalClose, clear: false });
    } else if (target.dataset.modalClear) {
      post("/ui/close", { view_id: target.dataset.modalClear, clear: true });
    }
  });

  document.addEventListener("change", (event) => {
    const control = event.target.closest("[data-kind]");
    if (!control || control.dataset.kind === "button" || control.closest(".block-input")) return;
    act(control, valueOf(control));
  });

  // Another workspace is another page (its own channels and people's views); the person stays.
  const switcher = $("workspace");
  if (switcher) {
    switcher.addEventListener("change", () => {
      window.location.href = switcher.value + "?user=" + encodeURIComponent(state.user);
    });
  }
  $("person").addEventListener("change", (event) => {
    state.user = event.target.value;
    remember("mlorg.user", state.user);
    for (const name of Object.keys(keys)) delete keys[name];
    if (state.conv === config.appConversation && state.tab === "home") post("/ui/open", { tab: "home" });
    else refresh();
  });

  // -- composing -------------------------------------------------------------------------------------
  function completions(text) {
    if (!text.startsWith("/")) return [];
    const [name, ...rest] = text.split(" ");
    if (!rest.length) {
      return config.commands.filter((c) => c.command.startsWith(name))
        .map((c) => ({ fill: c.command + " ", label: c.command, hint: c.description }));
    }
    const command = config.commands.find((c) => c.command === name);
    if (!command) return [];
    const typed = rest.join(" ").trimStart();
    if (/\s/.test(typed)) return [];
    const word = typed.toLowerCase();
    return command.hints.filter((h) => h.toLowerCase().startsWith(word))
      .map((h) => ({ fill: name + " " + h.split(" ")[0] + " ", label: name + " " + h, hint: "" }));
  }

  function showCompletion() {
    const box = $("completion");
    const items = completions($("composer-input").value);
    box.replaceChildren();
    items.forEach((item, index) => {
      const row = document.createElement("div");
      row.setAttribute("role", "option");
      row.setAttribute("data-testid", "completion-item");
      row.dataset.fill = item.fill;
      if (index === 0) row.setAttribute("aria-selected", "true");
      const label = document.createElement("b");
      label.textContent = item.label;
      const hint = document.createElement("span");
      hint.textContent = item.hint ? "  " + item.hint : "";
      row.append(label, hint);
      row.addEventListener("mousedown", (event) => {
        event.preventDefault();
        $("composer-input").value = item.fill;
        showCompletion();
        $("composer-input").focus();
      });
      box.append(row);
    });
    box.hidden = items.length === 0;
  }

  function wire(form, input, threadOf) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      if (form.id === "composer") showCompletion();
      const conv = state.conv;
      await post("/ui/send", { conv, text, thread_ts: threadOf() || null });
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Tab" && form.id === "composer") {
        const first = $("completion").querySelector("[role=option]");
        if (first) { event.preventDefault(); input.value = first.dataset.fill; showCompletion(); }
      } else if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
  wire($("composer"), $("composer-input"), () => "");
  wire($("thread-composer"), $("thread-input"), () => state.thread);
  $("composer-input").addEventListener("input", showCompletion);
  $("composer-input").addEventListener("blur", () => { $("completion").hidden = true; });

  // -- live updates ----------------------------------------------------------------------------------
  $("person").value = state.user;
  const events = new EventSource(BASE + "/ui/events");
  events.onmessage = () => { refresh(); };
  if (state.conv === config.appConversation) post("/ui/open", { tab: "home" });
  else refresh();
})();
