// A worksheet saves each answer as it is typed (a second after the last key), so a tablet
// that sleeps or a page that is closed loses at most a second of typing. Only the answer that
// changed is sent: two tablets writing different answers never undo each other. Offline, the
// status says so and the next change (or the network's return) sends the answer again.
(function () {
  "use strict";
  var form = document.querySelector("form.autosave");
  if (!form) { return; }
  var state = form.querySelector(".save-state");
  var token = form.querySelector("input[name=csrf_token]").value;
  var waiting = {};  // field name -> timer
  var unsent = {};   // field name -> true while not saved

  function say(key) { state.textContent = form.getAttribute("data-" + key); }

  function send(field) {
    var body = new URLSearchParams();
    body.append("csrf_token", token);
    body.append(field.name, field.value);
    say("saving");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: AbortSignal.timeout ? AbortSignal.timeout(15000) : undefined
    }).then(function (res) {
      if (!res.ok) { throw new Error(res.status); }
      delete unsent[field.name];
      if (!Object.keys(unsent).length) { say("saved"); }
    }).catch(function () {
      unsent[field.name] = true;
      say("offline");
    });
  }

  form.querySelectorAll("textarea").forEach(function (field) {
    field.addEventListener("input", function () {
      unsent[field.name] = true;
      clearTimeout(waiting[field.name]);
      waiting[field.name] = setTimeout(function () { send(field); }, 1000);
    });
  });
  window.addEventListener("online", function () {
    Object.keys(unsent).forEach(function (name) { send(form.elements[name]); });
  });
})();
