// Tests on a tablet: every answer is saved the moment it is given, so a reload, a sleeping
// screen or a dropped connection loses nothing. Without script, the Next button saves too.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var state = form.querySelector(".save-state");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var pending = false;
  var sending = false;
  var failed = false;

  function say(key) { state.textContent = key ? state.getAttribute("data-" + key) : ""; }

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
        if (r.ok) { say("saved"); } else { state.textContent = data.error || ""; }
      });
    }).catch(function () {
      say("offline");
      pending = true;
      failed = true;
    }).then(function () {
      sending = false;
      // A change made while saving is sent at once; after a failure, retry in 2 s.
      if (pending && !failed) { send(); }
      else if (pending && navigator.onLine !== false) { setTimeout(send, 2000); }
    });
  }

  form.addEventListener("change", send);
  form.addEventListener("input", function (e) {
    if (e.target.type === "text") { clearTimeout(form._t); form._t = setTimeout(send, 600); }
  });
  window.addEventListener("online", function () { if (pending) { send(); } });

  var timer = document.querySelector(".timer[data-seconds]");
  if (timer) {
    var end = Date.now() + parseInt(timer.getAttribute("data-seconds"), 10) * 1000;
    setInterval(function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      timer.setAttribute("data-seconds", left);
      if (left === 0) { window.location.reload(); }
    }, 1000);
  }
})();
