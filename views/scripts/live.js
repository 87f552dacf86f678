// Live updates of the staff calendar's day view (views/scheduling/calendar/day.tsx) and of the
// public booking page's list of times (views/booking/pages.tsx).
// Opens a WebSocket to the clinic's calendar (the data-live address on the element that has one);
// whenever a time is taken or freed, it fetches that element again (data-src, as an htmx fragment
// request) and swaps it in, keeping a table's horizontal scroll. Once the element no longer
// carries data-live (the booking moved on to the details form), nothing is refreshed. It reconnects with exponential backoff (1 s up to
// 30 s) and refreshes after a reconnect, since messages sent meanwhile were missed. Hidden tabs
// refresh when shown again. Without JavaScript the page still has its Refresh link.
(function () {
  "use strict";
  // Loaded again when a swapped-in fragment carries the script tag: one connection is enough.
  if (window.clinicLive) return;
  var first = document.querySelector("[data-live]");
  if (!first || !first.id || !("WebSocket" in window) || !window.fetch) return;
  var id = first.id;
  window.clinicLive = true;
  var liveUrl = first.getAttribute("data-live");
  if (!liveUrl) return;

  var delay = 1000;
  var opened = false;
  var pingTimer = 0;
  var refreshTimer = 0;
  var dirty = false;
  var busy = false;

  function grid() {
    var el = document.getElementById(id);
    return el && el.hasAttribute("data-live") ? el : null;
  }

  function refresh() {
    var old = grid();
    if (!old) return;
    if (document.hidden || busy) {
      dirty = true;
      return;
    }
    busy = true;
    dirty = false;
    var src = old.getAttribute("data-src") || location.pathname + location.search;
    fetch(src, { credentials: "same-origin", headers: { "HX-Request": "true", "HX-Target": "div#" + id, Accept: "text/html" } })
      .then(function (res) {
        // A redirect means the session ended: keep what is shown (the Refresh link signs in again).
        return res.ok && !res.redirected ? res.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var t = document.createElement("template");
        t.innerHTML = html;
        var fresh = t.content.getElementById ? t.content.getElementById(id) : t.content.querySelector("#" + id);
        var current = grid();
        if (!fresh || !current) return;
        var wrap = current.querySelector(".table-wrap");
        var left = wrap ? wrap.scrollLeft : 0;
        current.replaceWith(fresh);
        var again = fresh.querySelector(".table-wrap");
        if (again) again.scrollLeft = left;
        if (window.htmx && window.htmx.process) window.htmx.process(fresh);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        if (dirty) schedule();
      });
  }

  function schedule() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 250);
  }

  function retry() {
    var wait = delay;
    delay = Math.min(delay * 2, 30000);
    setTimeout(connect, wait + Math.random() * 500);
  }

  function connect() {
    var socket;
    try {
      socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + liveUrl);
    } catch (e) {
      retry();
      return;
    }
    socket.onopen = function () {
      delay = 1000;
      if (opened) schedule();
      opened = true;
      clearInterval(pingTimer);
      // Idle connections are closed by proxies; the calendar answers "ping" with "pong".
      pingTimer = setInterval(function () {
        if (socket.readyState === 1) socket.send("ping");
      }, 30000);
    };
    socket.onmessage = function (e) {
      if (e.data !== "pong") schedule();
    };
    socket.onclose = function () {
      clearInterval(pingTimer);
      retry();
    };
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && dirty) schedule();
  });
  connect();
})();
