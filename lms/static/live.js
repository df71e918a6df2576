// Live quizzes. The server tells this page when the quiz moves on: one long-lived request
// (Server-Sent Events) whose "state" events carry the open question itself, "count" events the
// number who joined, and empty heartbeats. Where the network breaks long connections (or the
// browser has no EventSource) the page asks "anything new?" instead, with the last ETag.
// Every request has a timeout, so a stuck one never stops the updates; everything stops when
// the quiz has ended. Answers are sent without a page load: "Reconnecting…" only when the
// network failed (drops of up to 30 s recover by themselves, the answer kept and sent again);
// a refusal says why, in the learner's language. A reload always comes back.
(function () {
  "use strict";
  var box = document.querySelector(".live[data-poll]");
  if (!box) { return; }
  var net = document.querySelector(".live-net");
  var refusal = document.querySelector(".live-refusal");
  var host = box.classList.contains("host");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.content : "";
  var TIMEOUT = 8000, ANSWER_TIMEOUT = 10000, POLL = 1500, POLL_MAX = 15000;
  var etag = null, stopped = false, source = null, failures = 0, watchdog = null;
  var pollTimer = null, pollDelay = POLL, fetching = null, again = false, ticker = null;
  var shownAt = now(), shownIndex = null;
  // The answer being sent (its question's index) and how to send it again at once: a drop of
  // the hall's wifi keeps it, and it goes out the moment the network is back (counted once:
  // one answer per participant and question on the server).
  var sendingIndex = null, resend = null;

  function now() { return window.performance && performance.now ? performance.now() : Date.now(); }
  // Two lines: the network's state ("offline, retrying"), and why an answer was refused.
  function say(text) { net.textContent = text || ""; }
  function refuse(text) { if (refusal) { refusal.textContent = text || ""; } }
  function offline() { say(box.getAttribute("data-offline")); }
  function current() { return box.querySelector("[data-status]"); }

  // A request that settles within `ms` (its body read too), whatever the network does.
  function request(url, options, ms) {
    var controller = window.AbortController ? new AbortController() : null;
    options.credentials = "same-origin";
    if (controller) { options.signal = controller.signal; }
    return new Promise(function (resolve, reject) {
      var done = false;
      var timer = setTimeout(function () {
        if (controller) { controller.abort(); }
        finish(reject, new Error("timeout"));
      }, ms || TIMEOUT);
      function finish(settle, value) {
        if (!done) { done = true; clearTimeout(timer); settle(value); }
      }
      fetch(url, options).then(function (r) {
        return r.text().then(function (body) {
          finish(resolve, { status: r.status, ok: r.ok, headers: r.headers, body: body });
        });
      }).catch(function (error) { finish(reject, error); });
    });
  }

  // After each change of the fragment: stop at the end; note when a question appeared.
  function changed() {
    var state = current();
    if (!state) { return; }
    if (state.hasAttribute("data-ended")) { stop(); return; }
    var form = state.querySelector("form[data-live-answer]");
    var index = state.getAttribute("data-index");
    if (form && index !== shownIndex) { shownAt = now(); shownIndex = index; refuse(""); }
  }

  function show(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var next = holder.querySelector("[data-status]");
    var state = current();
    var focused = document.activeElement && box.contains(document.activeElement) &&
      box.querySelector("form[data-live-answer]");
    // Someone typing an answer, or whose answer is on its way, keeps their form while the
    // question stays the same.
    if ((focused || sendingIndex !== null) && next && state &&
        next.getAttribute("data-status") === "question" &&
        next.getAttribute("data-index") === state.getAttribute("data-index") &&
        !next.hasAttribute("data-answered")) { return; }
    box.innerHTML = html;
    changed();
  }

  // The open question, pushed: the same for every tablet, so this tablet keeps its own line
  // (name and score) and puts in its own form token.
  function showQuestion(data) {
    var state = current();
    var crumbs = state && state.querySelector(".crumbs");
    var next = document.createElement("section");
    next.className = "panel live-state";
    next.setAttribute("data-status", data.s);
    next.setAttribute("data-version", data.v);
    next.setAttribute("data-index", data.i);
    next.innerHTML = (crumbs ? crumbs.outerHTML : "") + data.h;
    var field = next.querySelector('input[name="csrf_token"]');
    if (field) { field.value = token; }
    box.innerHTML = "";
    box.appendChild(next);
    etag = null;
    changed();
  }

  // Fetch this tablet's state once (resolves true unless the network failed).
  function fetchState() {
    if (stopped) { return Promise.resolve(true); }
    if (fetching) { again = true; return fetching; }
    var headers = { "X-Requested-With": "fetch" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetching = request(box.getAttribute("data-poll"), { headers: headers, cache: "no-store" })
      .then(function (res) {
        // Signed out on the server (idle): the page itself then asks to sign in again.
        if (res.status === 401) { window.location.reload(); return true; }
        if (res.status === 200) { etag = res.headers.get("ETag"); show(res.body); }
        if (!source) { say(""); }
        return true;
      }, function () { offline(); return false; })
      .then(function (ok) {
        fetching = null;
        if (again && !stopped) { again = false; return fetchState(); }
        return ok;
      });
    return fetching;
  }

  function poll() {
    pollTimer = null;
    if (stopped || source) { return; }
    fetchState().then(function (ok) {
      pollDelay = ok ? POLL : Math.min(pollDelay * 2, POLL_MAX);
      if (!stopped && !source && !pollTimer) { pollTimer = setTimeout(poll, pollDelay); }
    });
  }

  function startPolling() {
    if (!pollTimer && !stopped) { pollTimer = setTimeout(poll, 0); }
  }

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  function onState(data) {
    var state = current();
    if (host) { fetchState(); return; }
    if (state && String(data.v) === state.getAttribute("data-version")) { return; }
    var answered = state && state.hasAttribute("data-answered") &&
      state.getAttribute("data-index") === String(data.i);
    if (data.h && !answered) { showQuestion(data); } else { fetchState(); }
  }

  function onCount(text) {
    if (host) { fetchState(); return; }
    var joined = box.querySelector("[data-joined]");
    if (joined) { joined.textContent = text; }
  }

  function alive() {
    clearTimeout(watchdog);
    // Heartbeats come every 15 s: 40 s of silence is a dead connection, whatever it says.
    watchdog = setTimeout(dropStream, 40000);
  }

  function openStream() {
    var url = box.getAttribute("data-events");
    if (stopped || source) { return; }
    if (!window.EventSource || !url) { startPolling(); return; }
    var state = current();
    var version = state && state.getAttribute("data-version");
    source = new EventSource(url + (version ? "?v=" + encodeURIComponent(version) : ""));
    alive();
    source.onopen = function () { failures = 0; say(""); alive(); stopPolling(); };
    source.onmessage = alive;
    source.addEventListener("state", function (e) { alive(); onState(JSON.parse(e.data)); });
    source.addEventListener("count", function (e) { alive(); onCount(e.data); });
    source.onerror = function () {
      if (stopped || !source) { return; }
      failures += 1;
      // Refused (the quiz is gone, signed out) or failing again and again: ask instead.
      if (source.readyState === 2 || failures >= 3) { dropStream(); return; }
      if (failures >= 2) { offline(); }
    };
  }

  function dropStream() {
    clearTimeout(watchdog);
    if (source) { source.close(); source = null; }
    if (stopped) { return; }
    startPolling();
    // The network may carry long connections again later.
    setTimeout(function () {
      if (!stopped && !source) { stopPolling(); failures = 0; openStream(); }
    }, 30000);
  }

  function stop() {
    stopped = true;
    clearTimeout(watchdog);
    stopPolling();
    if (source) { source.close(); source = null; }
    if (ticker) { clearInterval(ticker); ticker = null; }
  }

  // A new form token (an old one is refused with 400): read it from the page itself.
  function freshToken() {
    return request(window.location.href, { headers: {}, cache: "no-store" }).then(function (res) {
      var found = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
      if (!found) { throw new Error("no token"); }
      token = found[1];
      if (meta) { meta.content = token; }
    });
  }

  function stillOpen(index) {
    var state = current();
    return !stopped && state && state.getAttribute("data-status") === "question" &&
      state.getAttribute("data-index") === index;
  }

  box.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live-answer")) { return; }
    event.preventDefault();
    if (form.hasAttribute("data-sending")) { return; }  // a double tap sends once
    form.setAttribute("data-sending", "");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var shown = String(Math.max(0, Math.round(now() - shownAt)));
    var index = form.querySelector('input[name="index"]').value;
    var delay = 1500, renewed = false, retry = null;
    sendingIndex = index;
    function release(message) {
      sendingIndex = null;
      resend = null;
      form.removeAttribute("data-sending");
      if (button) { button.disabled = false; }
      say("");
      refuse(message);
    }
    function send() {
      var field = form.querySelector('input[name="csrf_token"]');
      if (field && renewed) { field.value = token; }
      var body = new FormData(form);
      body.append("shown_ms", shown);
      request(form.action, {
        method: "POST", body: body,
        headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
      }, ANSWER_TIMEOUT).then(function (res) {
        var data = null;
        if ((res.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
          try { data = JSON.parse(res.body); } catch (e) { data = null; }
        }
        if (data) {
          sendingIndex = null;
          resend = null;
          say("");
          refuse(data.ok ? "" : data.error);
          if (document.activeElement) { document.activeElement.blur(); }
          etag = null;
          fetchState();
          return;
        }
        if (res.status === 401) { window.location.reload(); return; }
        if (res.status === 400 && !renewed) {  // an old form token: once more with a new one
          renewed = true;
          freshToken().then(send, function () { release(refused(res.status)); });
          return;
        }
        release(refused(res.status));
      }, function () {
        // No network, or no answer in time: again while the question is open (counted once).
        offline();
        if (stillOpen(index)) {
          clearTimeout(retry);
          retry = setTimeout(send, delay);
          resend = function () { clearTimeout(retry); delay = 1500; send(); };
          delay = Math.min(delay * 2, 10000);
        } else {
          release("");
        }
      });
    }
    send();
  });

  // A number in the page's own digits (Bengali ones on a Bengali page).
  function digits(number) {
    var own = box.getAttribute("data-digits") || "0123456789";
    return String(number).replace(/[0-9]/g, function (d) { return own.charAt(+d); });
  }

  function refused(status) {
    return (box.getAttribute("data-refused") || "").replace("{code}", digits(status));
  }

  ticker = setInterval(function () {
    var timer = document.querySelector(".timer[data-deadline]");
    if (!timer) { return; }
    var left = Math.max(0, Math.ceil((parseInt(timer.getAttribute("data-deadline"), 10) - Date.now()) / 1000));
    var seconds = (box.getAttribute("data-seconds") || "{n} s").replace("{n}", digits(left));
    timer.textContent = left > 0 ? seconds : timer.getAttribute("data-done");
  }, 250);

  // Back online: catch up at once (the stream, the state, an answer on its way) instead of
  // waiting for the next try.
  window.addEventListener("online", function () {
    if (stopped) { return; }
    if (resend) { resend(); }
    failures = 0;
    pollDelay = POLL;
    if (!source) { stopPolling(); openStream(); }
    fetchState();
  });

  changed();
  if (!stopped) { openStream(); }
})();
