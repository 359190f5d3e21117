// The phone page, live: follows the ticket's status feed (server-sent events) and renders each
// change with the texts the server gave in #montour-data. `lines()` mirrors view.py's decision
// (the browser test compares both renderings). Without EventSource, or when the hub refuses the
// feed (too many pages open), it polls the JSON status route instead.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("montour-data").textContent);
  if (!data.status) return; // an unknown or expired ticket: nothing to follow

  const T = data.texts;
  const ISOLATE = (value) => "\u2068" + value + "\u2069";
  const fill = (key, values) =>
    T[key].replace(/\{(\w+)\}/g, (match, name) => (name in values ? ISOLATE(values[name]) : match));

  function lines(s) {
    if (!s) return [[], [["info", T.expired], ["help", T.expired_help], ["help", T.new_ticket]]];
    const counter = s.counter_name || s.counter || "";
    if (s.state === "called") {
      return [[["call-title", T.your_turn], ["call-where", fill("go_to", { counter })]], []];
    }
    if (s.state === "waiting") {
      const est = s.estimate || {};
      const position = est.position || 1;
      const rank = position <= 1 ? T.next : fill("rank", { position });
      const wait = est.wait;
      let when;
      if (!wait) when = T.no_counter;
      else if (wait.low_min <= 0) when = fill("wait_short", { high: wait.high_min });
      else when = fill("wait", { low: wait.low_min, high: wait.high_min });
      return [[], [["rank", rank], ["wait", when], ["note", T.priority_note]]];
    }
    const simple = {
      serving: [["info", fill("serving", { counter })]],
      parked: [["info", T.parked]],
      transferred: [["info", T.transferred]],
      done: [["info", T.done], ["help", T.done_help]],
      no_show: [["info", T.no_show], ["help", T.no_show_help]],
      cancelled: [["info", T.cancelled], ["help", T.new_ticket]],
    };
    return [[], simple[s.state] || [["help", T.new_ticket]]];
  }

  function title(s) {
    if (!s) return T.expired + " · " + data.office;
    if (s.state === "called") {
      return fill("go_to", { counter: s.counter_name || s.counter || "" }) + " · " + s.label;
    }
    return fill("title", { number: s.label }) + " · " + data.office;
  }

  // Only a block whose words changed is rewritten, so a screen reader announces real news.
  function paint(element, found) {
    const signature = JSON.stringify(found);
    if (element.dataset.shown === signature) return;
    element.dataset.shown = signature;
    element.replaceChildren(
      ...found.map(([cls, text]) => {
        const p = document.createElement("p");
        p.className = cls;
        p.textContent = text;
        return p;
      }),
    );
  }

  const callBox = document.getElementById("call");
  const statusBox = document.getElementById("status");
  const connection = document.getElementById("connection");
  let current = data.status;
  const initial = lines(current);
  callBox.dataset.shown = JSON.stringify(initial[0]);
  statusBox.dataset.shown = JSON.stringify(initial[1]);

  function isNewCall(before, after) {
    if (!after || after.state !== "called") return false;
    if (!before || before.state !== "called") return true;
    return (after.calls || 0) > (before.calls || 0); // a recall: alert again
  }

  function apply(next) {
    const alert = isNewCall(current, next);
    current = next;
    const [call, info] = lines(next);
    if (alert) callBox.dataset.shown = ""; // a recall has the same words: announce them again
    paint(callBox, call);
    paint(statusBox, info);
    document.title = title(next);
    if (!alert) return;
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 800]);
    callBox.scrollIntoView({ block: "nearest" }); // with large text it may be below the fold
  }

  function online() {
    if (connection.textContent) connection.textContent = "";
  }

  function offline() {
    if (connection.textContent !== T.offline) connection.textContent = T.offline;
  }

  // How the page follows the ticket, for whoever inspects it (and the browser test).
  const mode = (name) => {
    document.documentElement.dataset.live = name;
  };
  let polling = false;

  function poll() {
    if (polling) return;
    polling = true;
    mode("polling");
    const again = () => setTimeout(tick, data.poll_ms);
    const tick = () => {
      fetch(data.status_url, { cache: "no-store", headers: { Accept: "application/json" } })
        .then((response) => {
          if (response.status === 404) {
            mode("ended");
            online();
            apply(null); // expired: nothing more will come
            return;
          }
          if (!response.ok) throw new Error("status " + response.status);
          return response.json().then((status) => {
            online();
            apply(status);
            again();
          });
        })
        .catch(() => {
          offline();
          again();
        });
    };
    tick();
  }

  if (!("EventSource" in window)) {
    poll();
    return;
  }
  const feed = new EventSource(data.events_url);
  let planned = false; // the hub ends each feed after a while; the browser reconnects at once
  feed.onopen = () => {
    planned = false;
    mode("events");
    online();
  };
  feed.onmessage = (event) => {
    online();
    apply(JSON.parse(event.data));
  };
  feed.addEventListener("reconnect", () => {
    planned = true;
  });
  feed.addEventListener("gone", () => {
    feed.close();
    mode("ended");
    apply(null);
  });
  feed.onerror = () => {
    // CONNECTING: the browser retries by itself. CLOSED: the hub refused the feed.
    if (feed.readyState === EventSource.CLOSED) poll();
    else if (planned) planned = false; // the one expected break; the next one is news
    else offline();
  };
})();
