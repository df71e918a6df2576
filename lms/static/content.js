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

  // The section page reports itself; offline.js keeps the report while the tablet is offline.
  var reader = document.querySelector("[data-seen-url]");
  if (reader) {
    var seen = reader.getAttribute("data-seen-url");
    if (window.LMSSeen) { window.LMSSeen.report(seen); }
    else { post(seen, new FormData()).catch(function () {}); }
  }

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
      item.textContent = p.line_text + ": " + p.label + ": " + p.message;
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
