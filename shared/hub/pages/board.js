// The web board, live: follows the board feed (server-sent events), renders each change with
// the texts the server gave in #montour-data (the same decisions as board_view.py), and
// announces every new call: a chime, then the sentence in the board's language and in the
// visitor's, strictly one after another (a queue; nothing is dropped). A recall is a new call.
// No message for timing.stale_ms (the hub pings every second): the stale banner, board greyed.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("montour-data").textContent);
  const T = data.texts;
  const timing = data.timing;
  const fill = (key, values) =>
    T[key].replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const $ = (id) => document.getElementById(id);
  const root = document.documentElement;

  // --- rendering (mirrors board_view.py) ------------------------------------------------------

  const periods = (found) => found.map(([a, b]) => a + "–" + b).join(", ");

  function waitText(s) {
    if (!s.wait) return T.no_counter;
    if (s.wait.low_min <= 0) return fill("wait_short", { high: s.wait.high_min });
    return fill("wait", { low: s.wait.low_min, high: s.wait.high_min });
  }

  function renderCurrent(b) {
    if (!b.calls.length) return [el("p", "none", T.none_yet)];
    const call = b.calls[0];
    const where = el("p", "where");
    const arrow = el("span", "arrow", "→");
    arrow.setAttribute("aria-hidden", "true");
    where.append(arrow, " " + call.counter_name);
    return [el("p", "number", call.label), where];
  }

  function renderRecent(b) {
    return b.calls.slice(1).map((c) => {
      const li = el("li");
      li.append(el("span", "number", c.label), " ", el("span", "where", c.counter_name));
      return li;
    });
  }

  function renderServices(b) {
    const head = el("thead");
    const tr = el("tr");
    for (const key of ["service", "waiting", "estimate"]) {
      const th = el("th", "", T[key]);
      th.scope = "col";
      tr.append(th);
    }
    head.append(tr);
    const body = el("tbody");
    for (const s of b.services) {
      const row = el("tr");
      const th = el("th", "", s.name);
      th.scope = "row";
      row.append(th, el("td", "count", String(s.waiting)), el("td", "", waitText(s)));
      body.append(row);
    }
    return [head, body];
  }

  // Only a region whose content changed is rewritten, so assistive technology hears news only.
  function paint(node, signature, build) {
    if (node.dataset.shown === signature) return;
    node.dataset.shown = signature;
    node.replaceChildren(...build());
  }

  function render(b) {
    paint($("current"), JSON.stringify(b.calls.slice(0, 1)), () => renderCurrent(b));
    paint($("recent"), JSON.stringify(b.calls.slice(1)), () => renderRecent(b));
    paint($("services"), JSON.stringify(b.services), () => renderServices(b));
    const title = b.hours_today.length ? T.open_today : T.closed_today;
    if ($("hours-title").textContent !== title) $("hours-title").textContent = title;
    const hours = periods(b.hours_today);
    if ($("hours-today").textContent !== hours) $("hours-today").textContent = hours;
  }

  // --- the clock, on the hub's time (a TV stick's own clock may be wrong) -------------------

  let offset = 0;
  const clockFormat = new Intl.DateTimeFormat(data.lang, {
    hour: "2-digit", minute: "2-digit", timeZone: data.board.timezone,
  });
  const dateFormat = new Intl.DateTimeFormat(data.lang, {
    weekday: "long", day: "numeric", month: "long", timeZone: data.board.timezone,
  });
  function syncClock(now) {
    const at = Date.parse(now);
    if (!Number.isNaN(at)) offset = at - Date.now();
  }
  function tick() {
    const now = new Date(Date.now() + offset);
    $("clock").textContent = clockFormat.format(now);
    $("date").textContent = dateFormat.format(now);
    setTimeout(tick, 60000 - (now.getTime() % 60000) + 50); // at the next minute, not every second
  }

  // --- sound: chime, then speech, one announcement at a time ----------------------------------

  const STORE_KEY = "montour.board.sound";
  const log = [];
  let audio = null;
  let soundOn = false;
  const queue = [];
  let busy = false;

  function entry(fields) {
    const item = { ...fields, start: performance.now(), end: null };
    log.push(item);
    return item;
  }
  const done = (item, resolve) => () => {
    if (item.end === null) item.end = performance.now();
    resolve();
  };

  function chime(call) {
    return new Promise((resolve) => {
      const playing = soundOn && audio && audio.state === "running";
      const item = entry({ type: "chime", label: call.label, played: Boolean(playing) });
      if (!playing) return done(item, resolve)();
      const t0 = audio.currentTime + 0.02;
      const tones = [[660, t0, 0.35], [880, t0 + 0.35, 0.55]];
      let last = null;
      for (const [freq, start, length] of tones) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start); // a soft envelope: no click at either end
        gain.gain.exponentialRampToValueAtTime(0.35, start + 0.04);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + length + 0.01);
        last = osc;
      }
      const finish = done(item, resolve);
      last.onended = finish;
      setTimeout(finish, 900 + timing.chime_margin_ms); // an audio device that vanished
    });
  }

  function voiceFor(lang) {
    const voices = window.speechSynthesis ? speechSynthesis.getVoices() : [];
    return voices.find((v) => v.lang.toLowerCase().split(/[-_]/)[0] === lang) || null;
  }

  function speak(call, lang, text) {
    return new Promise((resolve) => {
      const voice = soundOn ? voiceFor(lang) : null;
      // No voice for the language (headless browsers have none): spoken silently, still logged.
      const item = entry({ type: "speech", label: call.label, lang, text, voiced: Boolean(voice) });
      const finish = done(item, resolve);
      if (!voice) return finish();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = voice.lang;
      utterance.voice = voice;
      utterance.onend = finish;
      utterance.onerror = finish;
      speechSynthesis.speak(utterance);
      setTimeout(finish, (text.length / timing.speech_chars_per_s) * 1000 + timing.speech_margin_ms);
    });
  }

  async function drain() {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const call = queue.shift();
      await chime(call);
      for (const [lang, text] of call.say) await speak(call, lang, text);
    }
    busy = false;
  }

  function unlockSpeech() {
    // Browsers allow speech only after a gesture; an empty sentence spoken now unlocks it.
    if (window.speechSynthesis) speechSynthesis.speak(new SpeechSynthesisUtterance(""));
  }

  function turnSoundOn() {
    if (!audio && window.AudioContext) audio = new AudioContext();
    if (audio) audio.resume();
    unlockSpeech();
    soundOn = true;
    try {
      localStorage.setItem(STORE_KEY, "on");
    } catch (e) {
      /* private mode: the button comes back next time */
    }
    $("sound").hidden = true;
  }

  function setUpSound() {
    const button = $("sound");
    button.addEventListener("click", turnSoundOn);
    let remembered = false;
    try {
      remembered = localStorage.getItem(STORE_KEY) === "on";
    } catch (e) {
      remembered = false;
    }
    if (remembered && window.AudioContext) {
      audio = new AudioContext(); // allowed to run without a gesture on some TVs, not all
      if (audio.state === "running") {
        soundOn = true;
        return;
      }
    }
    button.hidden = false;
    button.focus(); // a TV remote's OK key presses it
  }

  // --- following the hub ---------------------------------------------------------------------

  let seen = new Set(data.board.calls.map((c) => c.key));
  let currentKey = data.board.calls.length ? data.board.calls[0].key : null;
  let lastMessage = Date.now();
  let highlightTimer = null;

  function highlight() {
    const box = $("current").parentElement;
    box.classList.remove("pulse");
    void box.offsetWidth; // restart the animation: a recall highlights again
    box.classList.add("pulse");
    clearTimeout(highlightTimer);
    highlightTimer = setTimeout(() => box.classList.remove("pulse"), timing.highlight_ms);
  }

  function apply(b) {
    syncClock(b.now);
    const now = Date.parse(b.now);
    const fresh = b.calls
      .filter((c) => !seen.has(c.key) && now - Date.parse(c.called_at) <= timing.announce_max_age_ms)
      .reverse(); // oldest first
    seen = new Set(b.calls.map((c) => c.key)); // a key that left the list never comes back
    render(b);
    const key = b.calls.length ? b.calls[0].key : null;
    if (key !== currentKey) {
      currentKey = key;
      if (key !== null) highlight();
    }
    queue.push(...fresh);
    drain();
  }

  function alive() {
    lastMessage = Date.now();
    if (root.classList.contains("stale")) {
      root.classList.remove("stale");
      $("stale").hidden = true;
    }
  }

  function checkStale() {
    if (Date.now() - lastMessage > timing.stale_ms && !root.classList.contains("stale")) {
      root.classList.add("stale");
      $("stale").hidden = false;
    }
  }

  const mode = (name) => {
    root.dataset.live = name;
  };

  function poll() {
    mode("polling");
    fetch(data.board_url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("status " + r.status))))
      .then((b) => {
        alive();
        apply(b);
      })
      .catch(() => {})
      .finally(() => setTimeout(poll, timing.poll_ms));
  }

  let delay = 1000;
  function follow() {
    const source = new EventSource(data.events_url);
    source.onopen = () => mode("events");
    source.onmessage = (event) => {
      delay = 1000;
      alive();
      apply(JSON.parse(event.data));
    };
    source.addEventListener("ping", (event) => {
      alive();
      syncClock(JSON.parse(event.data).now);
    });
    source.onerror = () => {
      // CONNECTING: the browser retries by itself. CLOSED: refused (busy or stopping): again later.
      if (source.readyState !== EventSource.CLOSED) return;
      mode("waiting");
      setTimeout(follow, delay);
      delay = Math.min(delay * 2, timing.retry_max_ms);
    };
  }

  window.montourBoard = Object.freeze({
    get log() {
      return JSON.parse(JSON.stringify(log));
    },
    get soundOn() {
      return soundOn;
    },
  });

  tick();
  setUpSound();
  setInterval(checkStale, timing.stale_check_ms);
  if ("EventSource" in window) follow();
  else poll();
})();
