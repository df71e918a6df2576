// Tests on a tablet: every answer is kept on the tablet the moment it is given (queue.js,
// IndexedDB) and sent from there in order, each counted once, so a reload, a sleeping screen, a
// closed tab or a dropped connection loses nothing. The learner sees two states: "Saved on this
// tablet, will send" and "Saved". The pages of the attempt are kept by the service worker, so
// they open offline too; a page shows the answers still queued for it. Without script, or
// without IndexedDB, the Next button and the direct autosave save as before.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave], form[data-sync-submit]");
  if (!form) { return; }
  var state = form.querySelector(".save-state");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var queue = window.LMSQueue;
  var attempt = form.getAttribute("data-attempt");
  var learner = form.getAttribute("data-learner");
  var pages = JSON.parse(form.getAttribute("data-pages") || "[]");
  var review = form.getAttribute("data-review");
  var submitting = form.hasAttribute("data-sync-submit");
  var adding = Promise.resolve(null);
  var useQueue = !!(queue && attempt && learner);

  function say(key) {
    if (!state) { return; }
    state.textContent = key ? state.getAttribute("data-" + key) || "" : "";
    state.setAttribute("data-state", key || "");
  }

  function sayError(text) {
    if (!state) { return; }
    state.textContent = text || "";
    state.setAttribute("data-state", "refused");
  }

  // Ask the service worker to keep pages of this attempt (contract of issue 21, §3).
  function keep(urls) {
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker && urls.length) { worker.postMessage({ type: "keep", urls: urls }); }
  }

  function keepAttempt() {
    var flag = "lms-kept-" + attempt + "-" + learner;
    try { if (sessionStorage.getItem(flag)) { return; } } catch (e) { /* private mode */ }
    if (!(navigator.serviceWorker && navigator.serviceWorker.controller)) { return; }
    keep(pages.concat(review ? [review] : []));
    try { sessionStorage.setItem(flag, "1"); } catch (e) { /* private mode */ }
  }

  // The answer as the form has it: [[name, value], ...] without the form's own fields.
  function fields() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "go" && typeof value === "string") {
        out.push([name, value]);
      }
    });
    return out;
  }

  function change(kind) {
    return {
      kind: kind, attempt: attempt, learner: learner, token: form.getAttribute("data-token"),
      url: form.getAttribute(kind === "submit" ? "data-sync-submit" : "data-sync"),
      item: form.getAttribute("data-item"), page: window.location.pathname,
      fields: kind === "answer" ? fields() : []
    };
  }

  function enqueue() {
    var entry = change("answer");
    adding = adding.then(function () { return queue.add(entry); }).then(function (added) {
      say("queued");
      queue.flush();
      return added;
    }, function () {
      useQueue = false;  // no IndexedDB here (a private window): save directly instead
      send();
      return null;
    });
    return adding;
  }

  // A page shows what its learner gave last: the answers still queued for its attempt.
  function applyFields(pairs) {
    var values = {};
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "go") { return; }
      var given = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") { el.checked = given.indexOf(el.value) >= 0; }
      else if (el.tagName === "SELECT" || el.type === "text") { el.value = given[0] || ""; }
    });
  }

  function showQueued(changes) {
    var items = {};
    changes.forEach(function (c) { if (c.kind === "answer" && c.fields.length) { items[c.item] = c; } });
    var own = items[form.getAttribute("data-item")];
    if (own && !submitting) { applyFields(own.fields); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-item-id]"), function (el) {
      if (!items[el.getAttribute("data-item-id")]) { return; }
      el.classList.add("answered", "queued");
      var badge = el.querySelector(".not-answered");
      if (badge) { badge.textContent = "✓"; badge.className = "tick"; }
    });
    countAnswered();
    if (changes.some(function (c) { return c.kind === "submit"; })) { submitQueued(); }
    else if (changes.length) { say("queued"); }
  }

  // The review page's "You answered n of N" counts the answers still queued too.
  function countAnswered() {
    var line = document.querySelector(".answered-count[data-template]");
    if (!line) { return; }
    var own = line.getAttribute("data-digits") || "0123456789";
    var n = String(document.querySelectorAll("[data-item-id] .tick").length);
    line.textContent = line.getAttribute("data-template").replace("{n}", n.replace(/[0-9]/g,
      function (d) { return own.charAt(+d); }));
  }

  var renew = {}, renewTimer = null;
  function refresh(detail) {
    if (detail.failed) { unreachable = true; }
    if (detail.acknowledged) { unreachable = false; }
    var mine = function (c) { return String(c.attempt) === String(attempt) && c.learner === learner; };
    (detail.refused || []).forEach(function (r) { if (mine(r.change)) { sayError(r.error); } });
    var acknowledged = (detail.acknowledged || []).filter(mine);
    if (!acknowledged.length) { return; }
    if (acknowledged.some(function (c) { return c.kind === "submit"; })) {
      if (!(detail.refused || []).some(function (r) { return mine(r.change); })) {
        window.location.assign(form.getAttribute("data-result"));
      }
      return;
    }
    // The server has these answers now: the kept copies of their pages are renewed (a few
    // seconds later, once for a burst of answers), so a page opened offline shows them.
    acknowledged.forEach(function (c) { if (c.page) { renew[c.page] = true; } });
    clearTimeout(renewTimer);
    renewTimer = setTimeout(function () {
      keep(Object.keys(renew).concat(review ? [review] : []));
      renew = {};
    }, 2000);
    queue.pending(attempt, learner).then(function (left) {
      if (!left.length && state.getAttribute("data-state") !== "refused") { say("saved"); }
    });
  }

  // Without a queue: the answer goes to the server directly (retried while offline).
  var pending = false, sending = false, failed = false;
  function send() {
    if (sending) { pending = true; return; }
    sending = true;
    pending = false;
    failed = false;
    fetch(form.getAttribute("data-autosave"), {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.ok) { say("saved"); } else { sayError(data.error); }
      });
    }).catch(function () {
      say("offline");
      pending = true;
      failed = true;
    }).then(function () {
      sending = false;
      if (pending && !failed) { send(); }
      else if (pending && navigator.onLine !== false) { setTimeout(send, 2000); }
    });
  }

  function saveNow() {
    clearTimeout(form._t);
    form._t = null;
    if (useQueue) { enqueue(); } else { send(); }
  }

  // Moving on offline: the answer is queued already, so go to the kept page.
  function target(go) {
    var number = parseInt(form.getAttribute("data-number"), 10);
    if (go === "review" || (go === "next" && number === pages.length)) { return review; }
    var n = go === "previous" ? number - 1 : number + 1;
    return pages[Math.min(Math.max(n, 1), pages.length) - 1];
  }

  function within(promise, ms) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms); })]);
  }

  // Online, Next and Previous are the form's own (it saves the answer too, as without script);
  // offline, or while the server is out of reach, they open the kept page at once instead.
  var unreachable = false;
  function onPager(event) {
    if (!useQueue || (navigator.onLine !== false && !unreachable)) { return; }
    event.preventDefault();
    var go = (event.submitter && event.submitter.value) || "next";
    if (form._t) { saveNow(); }
    var url = target(go);
    within(adding.then(function () { return queue.flush(); }), 3000).then(function () {
      window.location.assign(url);
    }, function () { window.location.assign(url); });
  }

  function submitQueued() {
    say("submit-queued");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
  }

  function onSubmit(event) {
    if (!useQueue) { return; }
    event.preventDefault();
    if (form.hasAttribute("data-sending")) { return; }  // a double tap submits once
    form.setAttribute("data-sending", "");
    queue.add(change("submit")).then(function () {
      submitQueued();
      queue.flush();
    }, function () { useQueue = false; form.removeAttribute("data-sending"); form.submit(); });
  }

  if (submitting) {
    form.addEventListener("submit", onSubmit);
  } else {
    form.addEventListener("change", saveNow);
    form.addEventListener("input", function (e) {
      if (e.target.type === "text") { clearTimeout(form._t); form._t = setTimeout(saveNow, 600); }
    });
    form.addEventListener("submit", onPager);
    window.addEventListener("online", function () { if (!useQueue && pending) { send(); } });
  }
  if (useQueue) {
    window.addEventListener("lms-queue", function (e) { refresh(e.detail || {}); });
    queue.pending(attempt, learner).then(showQueued, function () { useQueue = false; });
    keepAttempt();
    if (navigator.serviceWorker) { navigator.serviceWorker.addEventListener("controllerchange", keepAttempt); }
  }

  var timer = document.querySelector(".timer[data-seconds]");
  if (timer) {
    var end = Date.now() + parseInt(timer.getAttribute("data-seconds"), 10) * 1000;
    setInterval(function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      timer.setAttribute("data-seconds", left);
      if (left === 0 && navigator.onLine !== false) { window.location.reload(); }
    }, 1000);
  }
})();
