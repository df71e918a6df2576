// The room's screen (the projector): a "Full screen" button, hidden while full screen (Esc
// leaves it), and a question longer than the sizes were made for shrinks (to 60 % at most)
// until it and its options fit the screen without scrolling. No inline script or style: the
// scale is a CSS variable set from here.
(function () {
  "use strict";
  var box = document.querySelector(".room-screen");
  if (!box) { return; }
  var root = document.documentElement;
  var button = document.querySelector("[data-full-screen]");
  var SMALLEST = 0.6, STEP = 0.05;

  function overflows() { return root.scrollHeight > window.innerHeight + 1; }

  function fit() {
    var scale = 1;
    box.style.setProperty("--fit", "1");
    while (overflows() && scale > SMALLEST) {
      scale = Math.max(SMALLEST, Math.round((scale - STEP) * 100) / 100);
      box.style.setProperty("--fit", String(scale));
    }
  }

  if (button && root.requestFullscreen && document.fullscreenEnabled !== false) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var asked = root.requestFullscreen();
      if (asked && asked.catch) { asked.catch(function () {}); }
    });
    document.addEventListener("fullscreenchange", function () {
      button.hidden = !!document.fullscreenElement;
    });
  }
  // live.js replaces the box's content at each step of the quiz.
  new MutationObserver(fit).observe(box, { childList: true });
  window.addEventListener("resize", fit);
  fit();
})();
