// The tablet's answer queue (issue 21): every answer and submit of a test goes into IndexedDB
// ("lms-queue") first, then is sent in order to the server, which applies each change once (its
// random key). A change carries its own signed attempt token, so it is sent without cookies and
// still counts for the learner who gave it after "Switch learner"; it is deleted once the server
// has acknowledged it. Loaded on every page, so a queue left by one learner is sent whoever uses
// the tablet next; pages only ever read back the changes of their own attempt and learner.
(function () {
  "use strict";
  if (window.LMSQueue) { return; }
  var DB = "lms-queue", STORE = "changes", BATCH = 50;
  var opening = null, flushing = null, again = false, retryTimer = null, delay = 2000;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        store.createIndex("attempt", "attempt");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    opening.catch(function () { opening = null; });
    return opening;
  }

  // One transaction on the store; resolves with what `work` gives back, once it is written.
  function withStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "value" in result ? result.value : result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function all() {
    return withStore("readonly", function (store) {
      var out = { value: [] };
      store.openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (cursor) { out.value.push(cursor.value); cursor.continue(); }
      };
      return out;
    });
  }

  // A random key per change (the server applies each key once).
  function newKey() {
    var bytes = new Uint8Array(18);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_".charAt(b % 64);
    }).join("");
  }

  function add(change) {
    change.key = change.key || newKey();
    change.at = Date.now();
    return withStore("readwrite", function (store) { store.add(change); }).then(function () {
      notify({ added: change });
      return change;
    });
  }

  // The changes still queued for one attempt of one learner, oldest first.
  function pending(attempt, learner) {
    return all().then(function (changes) {
      return changes.filter(function (c) {
        return String(c.attempt) === String(attempt) && c.learner === learner;
      });
    });
  }

  function remove(seqs) {
    if (!seqs.length) { return Promise.resolve(); }
    return withStore("readwrite", function (store) {
      seqs.forEach(function (seq) { store.delete(seq); });
    });
  }

  function notify(detail) {
    var event;
    try { event = new CustomEvent("lms-queue", { detail: detail }); } catch (e) {
      event = document.createEvent("CustomEvent");
      event.initCustomEvent("lms-queue", false, false, detail);
    }
    window.dispatchEvent(event);
  }

  function later() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 30000);
  }

  // Send the queue, oldest first, in batches; each acknowledged change is deleted.
  function sendBatch(changes) {
    var batch = changes.slice(0, BATCH);
    var body = batch.map(function (c) {
      return { key: c.key, token: c.token, kind: c.kind, item: c.item, fields: c.fields };
    });
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) { controller.abort(); } }, 15000);
    return fetch(batch[0].url, {
      method: "POST", credentials: "omit", cache: "no-store",
      signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ changes: body })
    }).then(function (r) {
      clearTimeout(timer);
      if (!r.ok) { throw new Error("status " + r.status); }
      return r.json();
    }).then(function (data) {
      var byKey = {};
      batch.forEach(function (c) { byKey[c.key] = c; });
      var done = [], acknowledged = [], refused = [];
      (data.results || []).forEach(function (result) {
        var change = byKey[result.key];
        if (!change || result.status === "retry") { return; }
        done.push(change.seq);
        acknowledged.push(change);
        if (result.status === "refused") { refused.push({ change: change, error: result.error }); }
      });
      return remove(done).then(function () {
        notify({ acknowledged: acknowledged, refused: refused });
        // The server was busy with one: the rest waits behind it, to be sent in order later.
        if (done.length < batch.length) { throw new Error("busy"); }
        return changes.length > batch.length;
      });
    }, function (error) { clearTimeout(timer); throw error; });
  }

  function sendAll() {
    return all().then(function (changes) {
      if (!changes.length) { return false; }
      return sendBatch(changes).then(function (more) { return more ? sendAll() : false; });
    });
  }

  function locked(work) {
    // Two tabs never send the same queue at once (a change sent twice would still count once).
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("lms-queue-send", work);
    }
    return work();
  }

  function flush() {
    if (flushing) { again = true; return flushing; }
    clearTimeout(retryTimer);
    flushing = locked(sendAll).then(function () {
      delay = 2000;
      return true;
    }, function () {
      notify({ failed: true });
      later();
      return false;
    }).then(function (ok) {
      flushing = null;
      if (again) { again = false; return flush(); }
      return ok;
    });
    return flushing;
  }

  window.LMSQueue = { add: add, pending: pending, flush: flush, newKey: newKey };
  window.addEventListener("online", function () { delay = 2000; flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  open().then(flush, function () {});
})();
