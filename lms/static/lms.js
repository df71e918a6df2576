// Shared tablets: sign out after inactivity (the server enforces it too) so the next person
// never continues in someone else's account. Clock-based, so a tablet that slept is signed out
// as soon as it wakes. Shortly before (a minute, or half the timeout when it is short) a large
// warning counts down with an "I'm still here" button. No inline script: pages stay CSP-friendly.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  var form = document.getElementById("sign-out-form");
  if (!seconds || !form) { return; }
  var warning = document.getElementById("idle-warning");
  var lead = Math.min(60, Math.floor(seconds / 2));
  // The server notes activity at most this often: send a note no more often either.
  var noteEvery = Math.max(1, Math.min(30, Math.floor(seconds / 4))) * 1000;
  var last = Date.now();
  var noted = last;  // this page's request was activity on the server
  var done = false;

  // A number in the page's own digits (Bengali ones on a Bengali page).
  function digits(number) {
    var own = warning.getAttribute("data-digits") || "0123456789";
    return String(number).replace(/[0-9]/g, function (d) { return own.charAt(+d); });
  }

  function signOut() {
    done = true;
    form.querySelector("input[name=reason]").value = "idle";
    form.submit();
  }

  // Tell the server the tablet is in use (its idle timer starts again); a refusal means the
  // server has signed the tablet out already: reloading then shows the sign-in page.
  function note(reloadIfRefused) {
    if (!warning) { return; }
    noted = Date.now();
    var token = document.querySelector('meta[name="csrf-token"]');
    fetch(warning.getAttribute("data-still-here"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": token ? token.content : "", "X-Requested-With": "fetch" }
    }).then(function (res) {
      if (res.status !== 204 && reloadIfRefused) { window.location.reload(); }
    }, function () { /* offline: the next tap tries again */ });
  }

  function showWarning(left) {
    if (!warning) { return; }
    var text = warning.getAttribute(left === 1 ? "data-seconds-one" : "data-seconds-other");
    warning.querySelector(".idle-warning-left").textContent = text.replace("{n}", digits(left));
    if (warning.hidden) {
      warning.hidden = false;
      document.getElementById("idle-still-here").focus({ preventScroll: true });
    }
  }

  function active() {
    last = Date.now();
    if (warning && !warning.hidden) {
      warning.hidden = true;
      note(true);
    } else if (Date.now() - noted >= noteEvery) {
      note(false);
    }
  }

  function check() {
    if (done) { return; }
    var left = Math.ceil((last + seconds * 1000 - Date.now()) / 1000);
    if (left <= 0) {
      signOut();
    } else if (left <= lead) {
      showWarning(left);
    }
  }

  ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true });
  });
  if (warning) {
    document.getElementById("idle-still-here").addEventListener("click", active);
  }
  document.addEventListener("visibilitychange", check);
  setInterval(check, 250);
})();

// A table wider than its column says it scrolls sideways (the cue is hidden on tables that fit).
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".table-scroll");
  if (!boxes.length) { return; }
  function mark() {
    boxes.forEach(function (box) {
      box.classList.toggle("overflows", box.scrollWidth > box.clientWidth + 1);
    });
  }
  mark();
  window.addEventListener("resize", mark);
  window.addEventListener("load", mark);
})();
