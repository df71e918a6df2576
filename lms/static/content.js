// Modules: report the section a learner opened (exact resume), and the editor's live preview.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": token }
    });
  }

  // A section read offline (its page from the tablet's copy) is reported once the network is
  // back, for the same learner only: kept per learner (their opaque key), at most 50, and
  // deleted on sign-out and switch learner with the rest of their offline data (offline.js).
  var learner = (document.querySelector('meta[name="lms-learner"]') || {}).content || "";
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

  function report(url) {
    // A refusal (4xx: signed out, an old token) is final; only a lost request is kept.
    return post(url, new FormData()).then(function (r) { return r.status < 500; },
                                          function () { return false; });
  }

  function flush() {
    // Each report leaves the store once the server has it: a flush cut short by leaving the page
    // keeps the rest for the next page. Sent twice at worst, which changes nothing on the server.
    if (!learner || !navigator.onLine) { return; }
    unsent().reduce(function (done, url) {
      return done.then(function (going) {
        return going && report(url).then(function (ok) {
          if (ok) { keep(unsent().filter(function (u) { return u !== url; })); }
          return ok;
        });
      });
    }, Promise.resolve(true));
  }

  var reader = document.querySelector("[data-seen-url]");
  if (reader) {
    var seen = reader.getAttribute("data-seen-url");
    report(seen).then(function (ok) {
      if (ok) { flush(); return; }
      if (!learner) { return; }
      var urls = unsent();
      if (urls.indexOf(seen) < 0) { urls.push(seen); }
      keep(urls);
    });
  } else {
    flush();
  }
  window.addEventListener("online", flush);

  var form = document.querySelector("form[data-preview-url]");
  if (!form) { return; }
  var source = form.querySelector("textarea[name=text]");
  var html = document.querySelector(".live-html");
  var problems = document.querySelector(".live-problems");
  var timer = null;
  var pending = 0;

  function show(data) {
    html.innerHTML = data.html;  // already sanitised on the server (nh3)
    problems.textContent = "";
    if (!data.problems.length) { return; }
    var list = document.createElement("ul");
    list.className = "problems";
    data.problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "problem-" + p.severity;
      item.textContent = p.line + ": " + p.label + ": " + p.message;
      list.appendChild(item);
    });
    problems.appendChild(list);
  }

  function refresh() {
    var body = new FormData();
    body.append("text", source.value);
    var mine = ++pending;
    post(form.getAttribute("data-preview-url"), body)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === pending) { show(data); } })
      .catch(function () {});
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
