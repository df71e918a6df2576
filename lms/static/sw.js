// The LMS service worker (issue 21): tablets keep reading when the hall's wifi drops.
// Served by the route <LMS root>/sw.js, which puts `self.LMS_OFFLINE = {version, scope,
// precache}` first: a deploy that changes a static file changes these bytes, so the tablet
// installs the new worker, which deletes the old "lms-static-*" caches when it takes over.
//
// The contract with the server (lms/offline): a response carrying "X-LMS-Offline: page" is kept
// in the cache "lms-learner-<X-LMS-Learner>"; nothing else of a learner's is ever kept. A page
// opened without network comes from the cache of the CURRENT learner only (the key the pages
// last sent, kept in IndexedDB so that it survives the worker being stopped).
"use strict";

var SETTINGS = self.LMS_OFFLINE || { version: "dev", scope: "/", precache: [], fallback: "" };
var STATIC_CACHE = "lms-static-" + SETTINGS.version;
var LEARNER_CACHE = "lms-learner-";
var NETWORK_TIMEOUT_MS = 3000;
var SCOPE = new URL(SETTINGS.scope, self.location.href).pathname;
var KEY = /^[0-9a-f]{16}$/;
// Headers not copied to a kept page: its body is stored decoded, and a cached copy must match
// whatever the request's cookies (each learner has a cache of their own instead).
var DROPPED = ["vary", "content-length", "content-encoding", "set-cookie", "etag"];

var learner;  // undefined: not read from IndexedDB yet; null: nobody signed in

self.addEventListener("install", function (event) {
  event.waitUntil(precache().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("lms-static-") === 0 && name !== STATIC_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function precache() {
  // One missing file must not stop the install on a weak network: it is fetched when asked.
  // The offline page is fetched without cookies: it is the same for everyone.
  var urls = SETTINGS.fallback ? SETTINGS.precache.concat([SETTINGS.fallback]) : SETTINGS.precache;
  return caches.open(STATIC_CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "omit" }).then(function (response) {
        return response.ok ? cache.put(url, response) : null;
      }).catch(function () { return null; });
    }));
  });
}

// The current learner, kept in IndexedDB.

function database() {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open("lms-offline", 1);
    opening.onupgradeneeded = function () { opening.result.createObjectStore("state"); };
    opening.onsuccess = function () { resolve(opening.result); };
    opening.onerror = function () { reject(opening.error); };
  });
}

function currentLearner() {
  if (learner !== undefined) { return Promise.resolve(learner); }
  return database().then(function (db) {
    return new Promise(function (resolve) {
      var asked = db.transaction("state").objectStore("state").get("learner");
      asked.onsuccess = function () { resolve(asked.result || null); };
      asked.onerror = function () { resolve(null); };
    });
  }).catch(function () { return null; }).then(function (found) {
    if (learner === undefined) { learner = found; }
    return learner;
  });
}

function setLearner(key) {
  learner = KEY.test(key || "") ? key : null;
  return database().then(function (db) {
    return new Promise(function (resolve) {
      var writing = db.transaction("state", "readwrite");
      writing.objectStore("state").put(learner, "learner");
      writing.oncomplete = resolve;
      writing.onerror = resolve;
    });
  }).catch(function () {});
}

function forget(key) {
  if (!KEY.test(key || "")) { return Promise.resolve(); }
  return currentLearner().then(function (current) {
    return Promise.all([
      caches.delete(LEARNER_CACHE + key),
      current === key ? setLearner(null) : null
    ]);
  });
}

// Messages from the pages (offline.js, quiz.js), handled one after the other.

var queue = Promise.resolve();

function inTurn(work) {
  queue = queue.then(work, work);
  return queue;
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "learner") {
    event.waitUntil(inTurn(function () { return setLearner(data.key); }));
  } else if (data.type === "forget") {
    event.waitUntil(inTurn(function () { return forget(data.key); }));
  } else if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(keepAll(data.urls).then(function (result) {
      result.type = "kept";
      result.id = data.id;
      if (event.source) { event.source.postMessage(result); }
    }));
  }
});

// What is kept.

function inScope(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(SCOPE) === 0;
}

function isStatic(url) {
  return url.pathname.indexOf(SCOPE + "lms-static/") === 0;
}

function isPicture(url) {
  var rest = url.pathname.slice(SCOPE.length);
  return /^modules\/[^/]+\/(images|assets)\//.test(rest);
}

function keepPage(url, response, onlyFor) {
  // onlyFor: a prefetch keeps pages for the learner who asked, and not once they have left.
  var key = response.headers.get("X-LMS-Learner") || "";
  if (!response.ok || response.headers.get("X-LMS-Offline") !== "page" || !KEY.test(key) ||
      (onlyFor !== undefined && onlyFor !== key)) {
    return Promise.resolve(false);
  }
  var savedAt = new Date().toISOString();
  var headers = new Headers();
  response.headers.forEach(function (value, name) {
    if (DROPPED.indexOf(name.toLowerCase()) < 0) { headers.set(name, value); }
  });
  headers.set("X-LMS-Saved-At", savedAt);
  return response.text().then(function (text) {
    // The page learns that it came from this cache, and when it was saved (offline.js).
    var marked = text.replace(/<html\b/i, '<html data-lms-saved-at="' + savedAt + '"');
    return caches.open(LEARNER_CACHE + key).then(function (cache) {
      return cache.put(url, new Response(marked, { status: 200, headers: headers }));
    });
  }).then(function () { return true; });
}

function keepOne(href) {
  var url = new URL(href, self.location.href);
  if (!inScope(url)) { return Promise.resolve(false); }
  return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
    if (isStatic(url) || isPicture(url)) {
      return response.ok ? caches.open(STATIC_CACHE).then(function (cache) {
        return cache.put(url.href, response).then(function () { return true; });
      }) : false;
    }
    return currentLearner().then(function (key) {
      return keepPage(response.redirected ? response.url : url.href, response, key);
    });
  }).catch(function () { return false; });
}

function keepAll(urls) {
  // One at a time: the hall's wifi is shared by every tablet.
  var result = { saved: 0, failed: 0 };
  return urls.reduce(function (done, href) {
    return done.then(function () { return keepOne(href); }).then(function (ok) {
      result[ok ? "saved" : "failed"] += 1;
    });
  }, Promise.resolve()).then(function () { return result; });
}

// Answers.

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || !inScope(url)) { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (isStatic(url)) {
    event.respondWith(staticFile(request));
  } else if (isPicture(url)) {
    event.respondWith(picture(event));
  }
});

function fromLearnerCache(url) {
  return currentLearner().then(function (key) {
    if (!key) { return null; }
    return caches.open(LEARNER_CACHE + key).then(function (cache) { return cache.match(url); });
  }).then(function (found) { return found || null; });
}

function navigate(event) {
  // Network first, so a page that changed is fresh whenever the server answers; after a few
  // seconds without an answer, this learner's saved copy (the network may still win later).
  var request = event.request;
  var saving = null;
  var network = fetch(request).then(function (response) {
    saving = keepPage(request.url, response.clone()).catch(function () {});
    return response;
  });
  event.waitUntil(network.then(function () { return saving; }, function () {}));
  var late = new Promise(function (resolve) { setTimeout(resolve, NETWORK_TIMEOUT_MS, null); });
  return Promise.race([network.catch(function () { return null; }), late]).then(function (answer) {
    if (answer && answer.status < 500) { return answer; }
    // No answer yet, or the server (or a proxy before it) is failing: the saved copy if any.
    return fromLearnerCache(request.url).then(function (saved) {
      return saved || answer || network.catch(offlinePage);
    });
  });
}

function offlinePage() {
  // Never saved, and no network: the page that says so in every language, else the browser's.
  if (!SETTINGS.fallback) { return Response.error(); }
  return caches.match(SETTINGS.fallback, { cacheName: STATIC_CACHE }).then(function (found) {
    return found || Response.error();
  });
}

function staticFile(request) {
  // Static URLs carry their content's hash: a kept copy is right for as long as it is asked.
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request.url).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request.url, response.clone()); }
        return response;
      });
    });
  });
}

function picture(event) {
  // A module's picture: the kept copy at once, refreshed from the server when it answers, so a
  // changed picture shows on the next visit after the tablet is back online.
  var request = event.request;
  var fresh = fetch(request);
  var stored = fresh.then(function (response) {
    if (!response.ok) { return null; }
    var copy = response.clone();
    return caches.open(STATIC_CACHE).then(function (cache) { return cache.put(request.url, copy); });
  }).catch(function () {});
  event.waitUntil(stored);
  return caches.match(request.url, { cacheName: STATIC_CACHE }).then(function (found) {
    return found || fresh;
  });
}
