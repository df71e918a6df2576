// Offline tablets, the page's side (issue 21): registers the service worker (sw.js), tells it
// whose pages these are, asks it to keep the learner's modules ("Save for offline", and the
// modules of their training sessions), clears a learner's pages on sign-out and switch learner,
// and says so when a page was opened from the tablet's copy.
// Sections read offline (a section page from the tablet's copy could not report itself): the
// reports wait here, per learner (their opaque key), at most 50, and go one by one from any
// page once the network is back, each leaving the store only when the server has it; so a
// flush cut short by leaving the page keeps the rest. Deleted with the learner's copies.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="lms-learner"]');
  var learner = meta ? meta.getAttribute("content") : "";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var STORE = "lms-seen-" + learner;

  function unsent() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }

  function keep(urls) {
    try {
      if (urls.length) { localStorage.setItem(STORE, JSON.stringify(urls.slice(-50))); }
      else { localStorage.removeItem(STORE); }
    } catch (e) { /* private mode or full: the next visit reports the section again */ }
  }

  function send(url) {
    // A refusal (4xx: signed out, an old token) is final; only a lost request is kept.
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: new FormData(),
      headers: { "X-CSRFToken": csrf }
    }).then(function (r) { return r.status < 500; }, function () { return false; });
  }

  function flush() {
    if (!learner || !navigator.onLine) { return; }
    unsent().reduce(function (done, url) {
      return done.then(function (going) {
        return going && send(url).then(function (ok) {
          if (ok) { keep(unsent().filter(function (u) { return u !== url; })); }
          return ok;
        });
      });
    }, Promise.resolve(true));
  }

  window.LMSSeen = {
    report: function (url) {
      send(url).then(function (ok) {
        if (ok) { flush(); return; }
        if (!learner) { return; }
        var urls = unsent();
        if (urls.indexOf(url) < 0) { urls.push(url); }
        keep(urls);
      });
    }
  };
  flush();
  window.addEventListener("online", flush);
})();

(function () {
  "use strict";
  var script = document.getElementById("lms-offline-script");
  if (!script) { return; }
  var meta = document.querySelector('meta[name="lms-learner"]');
  var learner = meta ? meta.getAttribute("content") : null;
  // The learner whose pages this tablet keeps (a new page for someone else clears them).
  var LAST = "lms-offline-learner";
  // When the kept list was last fetched, and its digest: "<key> <digest> <time>".
  var LISTED = "lms-offline-listed";
  var ASK_AGAIN_MS = 30 * 60 * 1000;
  var KEEP_AGAIN_MS = 6 * 3600 * 1000;

  function remember(name, value) {
    try {
      if (value) { localStorage.setItem(name, value); } else { localStorage.removeItem(name); }
    } catch (e) { /* storage turned off: the next page does the same work again */ }
  }

  function recall(name) {
    try { return localStorage.getItem(name); } catch (e) { return null; }
  }

  function digits(text) {
    var own = script.getAttribute("data-digits") || "0123456789";
    return text.replace(/[0-9]/g, function (d) { return own.charAt(+d); });
  }

  function savedOn(date) {
    var lang = document.documentElement.getAttribute("lang") || "en";
    var options = { dateStyle: "medium", timeStyle: "short", numberingSystem: "latn" };
    try {
      return digits(new Intl.DateTimeFormat(lang, options).format(date));
    } catch (e) {
      return digits(date.toISOString().slice(0, 16).replace("T", " "));
    }
  }

  function showOfflineBanner() {
    // The service worker marks the copies it keeps: this page came from the tablet, not the
    // server (the network is down or too slow).
    var saved = document.documentElement.getAttribute("data-lms-saved-at");
    var main = document.getElementById("main");
    if (!saved || !main) { return; }
    var date = new Date(saved);
    var banner = document.createElement("p");
    banner.className = "flash flash-info offline-banner";
    banner.setAttribute("role", "status");
    banner.textContent = isNaN(date.getTime())
      ? script.getAttribute("data-offline")
      : script.getAttribute("data-saved-on").replace("{date}", savedOn(date));
    main.insertBefore(banner, main.firstChild);
  }

  showOfflineBanner();
  if (!("serviceWorker" in navigator)) { return; }

  var worker = navigator.serviceWorker;
  worker.register(script.getAttribute("data-worker")).catch(function () {});

  function post(message) {
    return worker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  // Whose pages: a page of another learner (or of nobody) clears the last learner's copies.
  var last = recall(LAST);
  if (last && last !== learner) {
    post({ type: "forget", key: last });
    try { localStorage.removeItem("lms-seen-" + last); } catch (e) { /* nothing kept */ }
  }
  post({ type: "learner", key: learner });
  remember(LAST, learner);

  // Sign-out and switch learner clear the copies at once, before the server even answers (and
  // when it cannot: offline, the idle sign-out still clears them).
  function forgetMine() {
    if (worker.controller) { worker.controller.postMessage({ type: "forget", key: learner }); }
    post({ type: "forget", key: learner });
    try { localStorage.removeItem("lms-seen-" + learner); } catch (e) { /* nothing kept */ }
  }
  var leaving = [script.getAttribute("data-sign-out"), script.getAttribute("data-switch")];
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var path = form.action ? new URL(form.action, location.href).pathname : "";
    if (learner && leaving.indexOf(path) >= 0) { forgetMine(); }
  }, true);
  // lms.js signs an idle tablet out with form.submit(), which sends no submit event.
  var signOut = document.getElementById("sign-out-form");
  if (signOut && learner) {
    var send = signOut.submit;
    signOut.submit = function () {
      forgetMine();
      return send.call(signOut);
    };
  }

  // Offline, Next and Previous (forms sent to the server) open the kept section instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var found = /^(.*\/modules\/[^/]+\/)\d+\/go$/.exec(form.action || "");
    if (navigator.onLine || !found || !button || button.name !== "to") { return; }
    event.preventDefault();
    location.href = found[1] + encodeURIComponent(button.value);
  });

  function keep(urls) {
    var id = String(Math.random()).slice(2);
    return new Promise(function (resolve) {
      function answer(event) {
        var data = event.data || {};
        if (data.type !== "kept" || data.id !== id) { return; }
        worker.removeEventListener("message", answer);
        resolve(data);
      }
      worker.addEventListener("message", answer);
      post({ type: "keep", urls: urls, id: id });
    });
  }

  // "Save for offline" on a module page.
  var panel = document.querySelector("[data-offline-save]");
  if (panel && learner) { savePanel(panel); }

  function savePanel(panel) {
    var button = panel.querySelector("[data-offline-save-button]");
    var state = panel.querySelector("[data-offline-state]");
    var urls = JSON.parse(panel.getAttribute("data-urls") || "[]");
    button.hidden = false;
    allKept(urls).then(function (kept) {
      if (kept) { state.textContent = panel.getAttribute("data-saved"); }
    });
    button.addEventListener("click", function () {
      button.disabled = true;
      state.textContent = panel.getAttribute("data-saving");
      keep(urls).then(function (result) {
        button.disabled = false;
        state.textContent = panel.getAttribute(result.failed ? "data-failed" : "data-saved");
      });
    });
  }

  function allKept(urls) {
    // Pages are in this learner's own cache; pictures in the static one, shared by learners.
    if (!window.caches) { return Promise.resolve(false); }
    return Promise.all(urls.map(function (url) {
      var href = new URL(url, location.href).href;
      if (/\/modules\/[^/]+\/(images|assets)\//.test(href)) { return caches.match(href); }
      return caches.open("lms-learner-" + learner).then(function (own) { return own.match(href); });
    })).then(function (found) {
      return found.every(Boolean);
    }).catch(function () { return false; });
  }

  // The modules of the learner's training sessions, and those they opened: kept without asking.
  // The list is asked for every half hour; kept again when it or a text changed, or after a few
  // hours. LISTED is "<learner> <digest> <kept at> <asked at>".
  var listUrl = script.getAttribute("data-keep");
  var copy = document.documentElement.hasAttribute("data-lms-saved-at");
  if (learner && listUrl && navigator.onLine && !copy) { keepListed(listUrl); }

  function keepListed(listUrl) {
    var before = (recall(LISTED) || "").split(" ");
    var mine = before[0] === learner;
    var now = Date.now();
    if (mine && now - Number(before[3] || 0) < ASK_AGAIN_MS) { return; }
    fetch(listUrl, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (list) {
      if (!list) { return; }
      if (mine && before[1] === list.digest && now - Number(before[2] || 0) < KEEP_AGAIN_MS) {
        remember(LISTED, [learner, list.digest, before[2], now].join(" "));
        return;
      }
      return keep(list.urls).then(function (result) {
        if (!result.failed) { remember(LISTED, [learner, list.digest, now, now].join(" ")); }
      });
    }).catch(function () {});
  }
})();
