// The inspector page of loyapro-mock: plain JavaScript, no library, served by the mock itself.
// It reads only the documented admin API: the journal live from GET /__admin/requests/stream
// (server-sent events), the state from /__admin/businesses, /customers, /rewards, /health,
// and the certification sessions from /__admin/sessions.
"use strict";

(function () {
  const MAX_ENTRIES = 2000;
  const entries = new Map(); // journal id -> entry
  const rows = new Map(); // journal id -> <li>
  const posNames = new Set();
  let sessions = [];
  let selected = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function getJSON(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  }

  const timeOf = (iso) => (iso ? String(iso).replace("T", " ").replace(/\.\d+Z$|Z$/, "") : "–");
  const shortTime = (iso) => (iso ? String(iso).slice(11, 19) : "");

  // -- what an entry says ---------------------------------------------------------------
  function severityCounts(entry) {
    let errors = 0;
    let warnings = 0;
    for (const v of entry.violations || []) {
      if (v.severity === "warning") warnings += 1;
      else errors += 1;
    }
    return { errors, warnings };
  }

  // Injected faults and rate limits, read from the entry itself: a 429 answer, or a fault
  // field the journal carries when a fault rule matched.
  function marks(entry) {
    const found = [];
    if (entry.status === 429) found.push({ kind: "rate", text: "rate limited (429)" });
    const fault = entry.fault ?? entry.faults ?? (entry.response && entry.response.fault);
    if (fault) {
      const list = Array.isArray(fault) ? fault : [fault];
      for (const item of list) {
        const name = typeof item === "string" ? item : item.kind || item.type || item.name || item.action || "fault";
        found.push({ kind: "fault", text: `fault: ${name}` });
      }
    }
    return found;
  }

  function responseBody(entry) {
    return entry.response ? entry.response.body : undefined;
  }

  function outcome(entry) {
    const body = responseBody(entry);
    if (!body || typeof body !== "object") return "";
    if (entry.status >= 400) return body.code ? body.code : "";
    if (entry.operation === "order") {
      const earned = ((body.loyalty && body.loyalty.earned) || []).map((m) => `+${m.amount} ${m.program}`);
      const reversed = ((body.loyalty && body.loyalty.reversed) || []).map((m) => `${m.amount} ${m.program}`);
      const moved = earned.concat(reversed).join(", ");
      const what = [body.status, body.duplicate ? "duplicate" : "", moved].filter(Boolean).join(" · ");
      return what || "";
    }
    if (entry.operation === "reward") return [body.kind, body.status].filter(Boolean).join(" · ");
    if (entry.operation === "redeem") {
      return [body.reward_code, body.status, body.discount_amount !== undefined ? `−${body.discount_amount}` : ""]
        .filter(Boolean)
        .join(" · ");
    }
    return "";
  }

  // -- the list -------------------------------------------------------------------------
  function sessionOf(id) {
    return sessions.find((s) => s.id === id);
  }

  function inSession(entry, session) {
    return entry.id >= session.since_id && (!session.pos_name || entry.pos === session.pos_name);
  }

  function matchesFilters(entry) {
    const pos = $("f-pos").value;
    const operation = $("f-operation").value;
    const verdict = $("f-verdict").value;
    const session = sessionOf($("f-session").value);
    if (pos && entry.pos !== pos) return false;
    if (operation && entry.operation !== operation) return false;
    if (verdict && entry.verdict !== verdict) return false;
    if (session && !inSession(entry, session)) return false;
    return true;
  }

  function applyFilters() {
    let shown = 0;
    for (const [id, li] of rows) {
      const visible = matchesFilters(entries.get(id));
      li.hidden = !visible;
      if (visible) shown += 1;
    }
    const total = entries.size;
    $("count").textContent =
      total === 0 ? "no request yet" : shown === total ? `${total} request(s)` : `${shown} of ${total} request(s) shown`;
    $("empty").hidden = total > 0;
  }

  function rowFor(entry) {
    const { errors, warnings } = severityCounts(entry);
    const badges = [
      el("span", { class: `badge status s${String(entry.status)[0]}`, text: entry.status }),
      el("span", { class: `badge verdict ${entry.verdict}`, text: entry.verdict }),
    ];
    if (errors) badges.push(el("span", { class: "badge error", text: `${errors} error(s)` }));
    if (warnings) badges.push(el("span", { class: "badge warning", text: `${warnings} warning(s)` }));
    for (const mark of marks(entry)) badges.push(el("span", { class: `badge ${mark.kind}`, text: mark.text }));
    const button = el(
      "button",
      {
        type: "button",
        class: "row",
        "data-id": entry.id,
        "aria-label": `request ${entry.id}: ${entry.method} ${entry.path}, ${entry.status} ${entry.verdict}`,
        onclick: () => select(entry.id),
      },
      el("span", { class: "row-head" },
        el("span", { class: "id", text: `#${entry.id}` }),
        el("span", { class: "op", text: entry.operation || entry.method }),
        el("span", { class: "pos", text: entry.pos || "" }),
        el("time", { class: "when", datetime: entry.received_at, text: shortTime(entry.received_at) })),
      el("span", { class: "row-badges" }, badges),
      el("span", { class: "row-outcome", text: outcome(entry) || entry.path })
    );
    const li = el("li", { "data-id": entry.id }, button);
    if (marks(entry).length) li.classList.add("marked");
    return li;
  }

  function addEntry(entry) {
    if (entries.has(entry.id)) return;
    entries.set(entry.id, entry);
    if (entry.pos && !posNames.has(entry.pos)) {
      posNames.add(entry.pos);
      $("f-pos").append(el("option", { value: entry.pos, text: entry.pos }));
    }
    const li = rowFor(entry);
    rows.set(entry.id, li);
    const list = $("requests");
    // newest first: before the first row with a smaller id
    let before = null;
    for (const child of list.children) {
      if (Number(child.dataset.id) < entry.id) {
        before = child;
        break;
      }
    }
    list.insertBefore(li, before);
    li.hidden = !matchesFilters(entry);
    li.classList.add("new");
    setTimeout(() => li.classList.remove("new"), 1500);
    while (entries.size > MAX_ENTRIES) {
      const oldest = Math.min(...entries.keys());
      entries.delete(oldest);
      rows.get(oldest).remove();
      rows.delete(oldest);
    }
  }

  function clearEntries() {
    entries.clear();
    rows.clear();
    $("requests").replaceChildren();
    selected = null;
    $("detail").replaceChildren(el("p", { class: "muted", text: "The journal was reset." }));
  }

  $("requests").addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
    const buttons = [...$("requests").querySelectorAll("li:not([hidden]) > button.row")];
    const index = buttons.indexOf(document.activeElement);
    let next = index;
    if (event.key === "ArrowDown") next = Math.min(index + 1, buttons.length - 1);
    if (event.key === "ArrowUp") next = Math.max(index - 1, 0);
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = buttons.length - 1;
    if (buttons[next]) {
      event.preventDefault();
      buttons[next].focus();
    }
  });

  // -- JSON with its pointers ---------------------------------------------------------------
  const escapeToken = (key) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

  // Render a JSON value as nested spans; `spans` maps each JSON pointer to its span.
  function renderJSON(value, pointer, depth, spans) {
    const pad = "  ".repeat(depth);
    const span = el("span", { class: "jv", "data-pointer": pointer, tabindex: -1 });
    spans.set(pointer, span);
    if (Array.isArray(value)) {
      if (!value.length) span.append("[]");
      else {
        span.append("[\n");
        value.forEach((item, i) => {
          span.append(pad + "  ", renderJSON(item, `${pointer}/${i}`, depth + 1, spans), i < value.length - 1 ? ",\n" : "\n");
        });
        span.append(pad + "]");
      }
    } else if (value && typeof value === "object") {
      const keys = Object.keys(value);
      if (!keys.length) span.append("{}");
      else {
        span.append("{\n");
        keys.forEach((key, i) => {
          span.append(
            pad + "  ",
            el("span", { class: "jk", text: JSON.stringify(key) }),
            ": ",
            renderJSON(value[key], `${pointer}/${escapeToken(key)}`, depth + 1, spans),
            i < keys.length - 1 ? ",\n" : "\n"
          );
        });
        span.append(pad + "}");
      }
    } else {
      span.classList.add(value === null ? "jnull" : typeof value === "string" ? "jstr" : "jlit");
      span.append(JSON.stringify(value));
    }
    return span;
  }

  // The span a violation's pointer names, or its nearest ancestor (a missing property).
  function spanFor(pointer, spans) {
    let p = pointer || "";
    while (true) {
      if (spans.has(p)) return { span: spans.get(p), exact: p === (pointer || "") };
      if (p === "") return { span: null, exact: false };
      p = p.slice(0, p.lastIndexOf("/"));
    }
  }

  function bodyBlock(body, violations, label) {
    const pre = el("pre", { class: "json", "aria-label": label });
    const spans = new Map();
    if (body === null || body === undefined) {
      pre.append(el("span", { class: "muted", text: "(no body)" }));
    } else if (typeof body === "string") {
      spans.set("", el("span", { class: "jv", "data-pointer": "", tabindex: -1, text: body }));
      pre.append(spans.get(""));
    } else {
      pre.append(renderJSON(body, "", 0, spans));
    }
    for (const v of violations || []) {
      const { span, exact } = spanFor(v.pointer, spans);
      if (!span) continue;
      span.classList.add(v.severity === "warning" ? "hl-warning" : "hl-error");
      if (!exact) span.classList.add("hl-missing");
      const note = `${v.pointer || "/"}: ${v.message} (${v.rule})`;
      span.title = span.title ? `${span.title}\n${note}` : note;
    }
    return { pre, spans };
  }

  // -- curl ---------------------------------------------------------------------------------
  const shellQuote = (text) => `'${String(text).replace(/'/g, `'\\''`)}'`;

  function curlFor(entry) {
    const request = entry.request || {};
    const headers = request.headers || {};
    const url = location.origin + entry.path + (request.query ? `?${request.query}` : "");
    const parts = ["curl -sS -X", entry.method, shellQuote(url)];
    const skip = new Set(["host", "content-length", "connection", "user-agent", "accept-encoding"]);
    for (const [name, value] of Object.entries(headers)) {
      if (!skip.has(name.toLowerCase())) parts.push("-H", shellQuote(`${name}: ${value}`));
    }
    const body = request.body;
    if (body === null || body === undefined) return parts.join(" ");
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return `${parts.join(" ")} --data-binary @- <<'JSON'\n${text}\nJSON`;
  }

  // -- the detail of one request ------------------------------------------------------------
  function summaryLines(entry) {
    const body = responseBody(entry);
    const lines = [];
    if (!body || typeof body !== "object") return lines;
    if (entry.status >= 400) {
      lines.push(el("p", { class: "problem" }, el("strong", { text: body.code || `HTTP ${entry.status}` }), " ", body.detail || ""));
      return lines;
    }
    if (entry.operation === "order") {
      const loyalty = body.loyalty || {};
      const moves = [];
      for (const m of loyalty.earned || []) moves.push(`earned ${m.amount} ${m.program}${m.balance !== undefined ? ` (balance ${m.balance})` : ""}`);
      for (const m of loyalty.reversed || []) moves.push(`reversed ${m.amount} ${m.program}${m.balance !== undefined ? ` (balance ${m.balance})` : ""}`);
      const customer = body.customer ? `${body.customer.name || ""} +${body.customer.mobile_country_code} ${body.customer.customer_mobile_number}` : "no customer";
      lines.push(el("p", { class: "loyalty" },
        el("strong", { text: `Order ${body.order_id}: ${body.status}` }),
        body.duplicate ? " (duplicate: nothing changed)" : "",
        ` · ${customer} · `,
        moves.length ? moves.join(", ") : loyalty.reason || "no loyalty moved"));
      for (const r of body.rewards_issued || []) lines.push(el("p", { text: `issued reward ${r.code} (${r.kind})` }));
      for (const r of body.redemptions_released || []) lines.push(el("p", { text: `released ${r.reward_code || r.code || "a code"}` }));
    } else if (entry.operation === "reward") {
      lines.push(el("p", { class: "loyalty" }, el("strong", { text: `Reward ${body.code}: ${body.kind}, ${body.status}` }),
        ` · ${body.is_percent ? `${body.discount_amount}%` : body.discount_amount} off`,
        body.max_discount_amount ? `, at most ${body.max_discount_amount}` : ""));
    } else if (entry.operation === "redeem") {
      lines.push(el("p", { class: "loyalty" }, el("strong", { text: `Redeemed ${body.reward_code} on order ${body.order_id}` }),
        ` · ${body.discount_amount} off${body.replay ? " (a retry: the same redemption)" : ""}`));
    }
    return lines;
  }

  function select(id) {
    const entry = entries.get(id);
    if (!entry) return;
    if (selected !== null && rows.has(selected)) {
      rows.get(selected).classList.remove("selected");
      rows.get(selected).querySelector("button").removeAttribute("aria-current");
    }
    selected = id;
    rows.get(id).classList.add("selected");
    rows.get(id).querySelector("button").setAttribute("aria-current", "true");
    const violations = entry.violations || [];
    const request = entry.request || {};
    const { pre: requestPre, spans } = bodyBlock(request.body, violations, "request body");
    const { pre: answerPre } = bodyBlock(responseBody(entry), [], "answer body");
    const list = el("ul", { class: "violations" });
    for (const v of violations) {
      const target = spanFor(v.pointer, spans);
      list.append(
        el("li", { class: v.severity === "warning" ? "warning" : "error" },
          el("button", {
            type: "button",
            class: "pointer",
            title: "Show it in the body",
            onclick: () => {
              if (!target.span) return;
              target.span.scrollIntoView({ block: "center" });
              target.span.focus();
              target.span.classList.remove("flash");
              void target.span.offsetWidth;
              target.span.classList.add("flash");
            },
          }, el("code", { text: v.pointer || "/" })),
          " ",
          el("span", { class: "rule", text: v.rule }),
          el("span", { class: "sev", text: v.severity === "warning" ? " warning" : " error" }),
          target.exact || !target.span ? "" : el("span", { class: "muted", text: " (missing: shown on its parent)" }),
          el("div", { class: "message", text: v.message })));
    }
    const headers = el("table", { class: "headers" },
      el("tbody", {}, Object.entries(request.headers || {}).map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v })))));
    const curl = curlFor(entry);
    const copy = el("button", { type: "button", class: "copy", text: "Copy" });
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(curl);
        copy.textContent = "Copied";
      } catch (error) {
        copy.textContent = "Select the text to copy";
      }
      setTimeout(() => (copy.textContent = "Copy"), 2000);
    });
    const markBadges = marks(entry).map((m) => el("span", { class: `badge ${m.kind}`, text: m.text }));
    const parts = [
      el("h2", {}, `#${entry.id} ${entry.method} ${entry.path} → ${entry.status} `,
        el("span", { class: `badge verdict ${entry.verdict}`, text: entry.verdict }), markBadges),
      el("p", { class: "meta" },
        `received ${timeOf(entry.received_at)} · POS ${entry.pos || "?"} · ${entry.operation || "no operation"}`,
        entry.duration_ms !== undefined ? ` · ${entry.duration_ms} ms` : ""),
      ...summaryLines(entry),
      el("h3", { text: violations.length ? `Violations (${violations.length})` : "No violation" }),
      violations.length ? list : null,
      el("h3", { text: "Request body" }),
      requestPre,
      el("h3", { text: "Answer" }),
      answerPre,
      el("details", {}, el("summary", { text: "Request headers" }), headers),
      el("h3", {}, "Reproduce it ", copy),
      el("pre", { class: "curl", "aria-label": "curl command", text: curl }),
    ];
    $("detail").replaceChildren(...parts.filter(Boolean));
    if (window.matchMedia("(max-width: 900px)").matches) $("detail").scrollIntoView({ block: "start" });
  }

  // -- live journal -------------------------------------------------------------------------
  function setLive(on, text) {
    const live = $("live");
    live.textContent = text;
    live.classList.toggle("on", on);
    live.classList.toggle("off", !on);
  }

  let stateTimer = null;
  function refreshSoon() {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(refreshVisible, 300);
  }

  function connect() {
    const source = new EventSource("/__admin/requests/stream");
    source.addEventListener("open", () => setLive(true, "live"));
    source.addEventListener("error", () => setLive(false, "reconnecting…"));
    source.addEventListener("request", (event) => {
      addEntry(JSON.parse(event.data));
      applyFilters();
      refreshSoon();
    });
    source.addEventListener("reset", () => {
      clearEntries();
      applyFilters();
      refreshSoon();
    });
  }

  // -- state --------------------------------------------------------------------------------
  async function refreshClock() {
    try {
      const health = await getJSON("/__admin/health");
      $("clock").textContent = timeOf(health.now);
      $("clock").setAttribute("datetime", health.now);
    } catch (error) {
      $("clock").textContent = "unreachable";
    }
  }

  function historyText(history) {
    return (history || [])
      .map((h) => `${h.state}${h.order_id ? ` on ${h.order_id}` : ""} ${timeOf(h.at)}`)
      .join(" → ");
  }

  async function showLedger(customer) {
    const box = $("ledger");
    const query = `dial_code=${encodeURIComponent(customer.mobile_country_code)}&business=${encodeURIComponent(customer.business_reference)}`;
    try {
      const view = await getJSON(`/__admin/customers/${encodeURIComponent(customer.customer_mobile_number)}?${query}`);
      const rowsOf = (view.ledger || []).map((e) =>
        el("tr", {}, el("td", { text: timeOf(e.created_at) }), el("td", { text: e.program }), el("td", { text: e.kind }),
          el("td", { class: "num", text: e.amount }), el("td", { text: e.order_id || e.reward_code || "" }), el("td", { text: e.note || "" })));
      box.replaceChildren(
        el("h3", { tabindex: -1, text: `Ledger of ${customer.name || ""} +${customer.mobile_country_code} ${customer.customer_mobile_number} (business ${customer.business_reference})` }),
        rowsOf.length
          ? el("div", { class: "table-wrap" }, el("table", { class: "stack" },
              el("thead", {}, el("tr", {}, ["when", "program", "kind", "amount", "order / code", "note"].map((h) =>
                el("th", { scope: "col", class: h === "amount" ? "num" : null, text: h })))),
              el("tbody", {}, rowsOf)))
          : el("p", { class: "muted", text: "No ledger entry yet." })
      );
      if (box.querySelector("table")) labelCells(box.querySelector("table"));
      box.querySelector("h3").focus();
    } catch (error) {
      box.replaceChildren(el("p", { class: "problem", text: String(error) }));
    }
  }

  // Each cell names its column (data-label), for the one-column layout of a narrow window.
  function labelCells(table) {
    const labels = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
    for (const tr of table.tBodies[0].rows) {
      [...tr.cells].forEach((td, i) => td.setAttribute("data-label", labels[i] || ""));
    }
  }

  async function refreshState() {
    try {
      const [biz, cust, rew] = await Promise.all([
        getJSON("/__admin/businesses"),
        getJSON("/__admin/customers"),
        getJSON("/__admin/rewards"),
      ]);
      $("businesses").tBodies[0].replaceChildren(
        ...biz.businesses.map((b) =>
          el("tr", {}, el("td", { text: b.reference }), el("td", { text: b.name || "" }), el("td", { text: b.pos_name || "" }),
            el("td", { text: (b.branches || []).map((br) => br.name || br.id).join(", ") })))
      );
      $("customers").tBodies[0].replaceChildren(
        ...cust.customers.map((c) => {
          const open = () => showLedger(c);
          return el("tr", { tabindex: 0, class: "clickable", "aria-label": `ledger of ${c.name || c.customer_mobile_number}`,
            onclick: open, onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); } } },
            el("td", { text: c.name || "" }), el("td", { text: `+${c.mobile_country_code} ${c.customer_mobile_number}` }),
            el("td", { text: c.business_reference }),
            el("td", { class: "num", text: c.balances.points ?? 0 }), el("td", { class: "num", text: c.balances.stamps ?? 0 }),
            el("td", { class: "num", text: c.balances.cashback ?? 0 }));
        })
      );
      $("rewards").tBodies[0].replaceChildren(
        ...rew.rewards.map((r) =>
          el("tr", { "data-code": r.code },
            el("td", {}, el("code", { text: r.code })), el("td", { text: r.kind }),
            el("td", {}, el("span", { class: `badge state ${r.status}`, text: r.status })),
            el("td", { text: r.customer ? `+${r.customer.mobile_country_code} ${r.customer.customer_mobile_number}` : "" }),
            el("td", { class: "owner", text: r.session || "" }),
            el("td", { class: "history", text: historyText(r.history) })))
      );
      for (const id of ["businesses", "customers", "rewards"]) labelCells($(id));
      $("state-updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      $("state-updated").textContent = `could not read the state: ${error}`;
    }
  }

  // -- certification sessions -----------------------------------------------------------------
  async function refreshSessions() {
    try {
      const data = await getJSON("/__admin/sessions");
      sessions = data.sessions || [];
    } catch (error) {
      return;
    }
    const filter = $("f-session");
    const chosen = filter.value;
    filter.replaceChildren(el("option", { value: "", text: "all" }),
      ...sessions.map((s) => el("option", { value: s.id, text: `${s.id} (${s.pos_name})` })));
    filter.value = sessions.some((s) => s.id === chosen) ? chosen : "";
    if (!sessions.length) return;
    $("sessions").replaceChildren(...sessions.slice().reverse().map((s) => {
      const verdict = s.verdict || {};
      return el("article", { class: "session", "data-session": s.id },
        el("h2", {}, `Session ${s.id} `, el("span", { class: `badge ${{ "refused requests": "rejected", "all steps seen": "accepted" }[verdict.state] || "pending"}`, text: verdict.state || "" })),
        el("p", { class: "meta", text: `POS ${s.pos_name} · business ${s.business_reference} · from journal id ${s.since_id} · started ${timeOf(s.created_at)}` }),
        el("p", { class: "progress" },
          el("strong", { text: `${s.progress.done} of ${s.progress.total} steps seen` }),
          ` · ${verdict.requests ?? 0} request(s), ${verdict.refused ?? 0} refused, ${verdict.warnings ?? 0} with warnings`),
        el("p", { class: "muted", text: verdict.note || "" }),
        el("ol", { class: "steps" }, s.steps.map((step) =>
          el("li", { class: step.done ? "done" : "todo", "data-step": step.id },
            el("span", { class: "tick", "aria-hidden": "true", text: step.done ? "✔" : "○" }),
            el("span", { class: "sr-only", text: step.done ? "done: " : "to do: " }),
            el("strong", { text: step.title }), " ", el("code", { text: step.id }),
            el("ul", { class: "evidence" }, step.expects.map((m) =>
              el("li", {}, m.description, " ",
                m.entry_id
                  ? el("button", { type: "button", class: "link", onclick: () => { showTab("requests"); select(m.entry_id); }, text: `#${m.entry_id}` })
                  : el("span", { class: "muted", text: "not yet" }))))))));
    }));
  }

  // -- tabs ----------------------------------------------------------------------------------
  const TABS = ["requests", "state", "sessions"];

  function refreshVisible() {
    refreshClock();
    refreshSessions();
    if (!$("view-state").hidden) refreshState();
  }

  function showTab(name) {
    for (const tab of TABS) {
      const on = tab === name;
      $(`tab-${tab}`).setAttribute("aria-selected", String(on));
      $(`tab-${tab}`).tabIndex = on ? 0 : -1;
      $(`view-${tab}`).hidden = !on;
    }
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    refreshVisible();
  }

  for (const tab of TABS) {
    $(`tab-${tab}`).addEventListener("click", () => showTab(tab));
    $(`tab-${tab}`).addEventListener("keydown", (event) => {
      const i = TABS.indexOf(tab);
      const next = event.key === "ArrowRight" ? TABS[(i + 1) % TABS.length] : event.key === "ArrowLeft" ? TABS[(i + TABS.length - 1) % TABS.length] : null;
      if (next) {
        event.preventDefault();
        showTab(next);
        $(`tab-${next}`).focus();
      }
    });
  }
  for (const id of ["f-pos", "f-operation", "f-verdict", "f-session"]) $(id).addEventListener("change", applyFilters);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("refresh-state").addEventListener("click", refreshState);
  $("refresh-sessions").addEventListener("click", refreshSessions);

  showTab(TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "requests");
  applyFilters();
  connect();
  setInterval(refreshClock, 5000);
})();
