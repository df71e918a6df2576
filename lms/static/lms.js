// Shared tablets: sign out after inactivity (the server enforces it too) so the next person
// never continues in someone else's account. Clock-based, so a tablet that slept is signed out
// as soon as it wakes. No inline script: pages stay CSP-friendly.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  var form = document.getElementById("sign-out-form");
  if (!seconds || !form) { return; }
  var last = Date.now();
  var done = false;
  function check() {
    if (!done && Date.now() - last > seconds * 1000) {
      done = true;
      form.querySelector("input[name=reason]").value = "idle";
      form.submit();
    }
  }
  ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { last = Date.now(); }, { passive: true });
  });
  document.addEventListener("visibilitychange", check);
  setInterval(check, 1000);
})();
