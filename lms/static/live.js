// Live quizzes: ask the server "anything new?" every 1.5 s with the last ETag (a 304 costs almost
// nothing), swap in the new state, send answers without a page load, and count down locally.
// Works through ordinary proxies; a lost connection is retried, and a reload always comes back.
(function () {
  "use strict";
  var box = document.querySelector(".live[data-poll]");
  if (!box) { return; }
  var net = document.querySelector(".live-net");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var etag = null;
  var delay = 1500;
  var busy = false;

  function poll() {
    if (busy) { return; }
    busy = true;
    var headers = { "X-Requested-With": "fetch" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(box.getAttribute("data-poll"), { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (r) {
        net.textContent = "";
        delay = 1500;
        if (r.status === 304) { return null; }
        // Signed out on the server (idle): the page itself then asks to sign in again.
        if (r.status === 401) { window.location.reload(); return null; }
        etag = r.headers.get("ETag");
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          var focused = document.activeElement && box.contains(document.activeElement);
          if (!focused || !box.querySelector("form[data-live-answer]")) { box.innerHTML = html; }
        }
      })
      .catch(function () {
        net.textContent = box.getAttribute("data-offline");
        delay = Math.min(delay * 2, 5000);
      })
      .then(function () { busy = false; setTimeout(poll, delay); });
  }

  box.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live-answer")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    var body = new FormData(form);
    function send(tries) {
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.ok) { net.textContent = data.error || ""; }
        etag = null;
        if (document.activeElement) { document.activeElement.blur(); }
      }).catch(function () {
        // No connection: keep trying; the server counts the answer only once.
        net.textContent = box.getAttribute("data-offline");
        if (tries < 20) { setTimeout(function () { send(tries + 1); }, 1500); }
      });
    }
    send(0);
  });

  setInterval(function () {
    var timer = document.querySelector(".timer[data-deadline]");
    if (!timer) { return; }
    var left = Math.max(0, Math.ceil((parseInt(timer.getAttribute("data-deadline"), 10) - Date.now()) / 1000));
    timer.textContent = left > 0 ? left + " s" : timer.getAttribute("data-done");
  }, 250);

  setTimeout(poll, delay);
})();
