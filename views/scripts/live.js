// Live updates of the staff calendar's day view (views/scheduling/calendar/day.tsx).
// Opens a WebSocket to the clinic's calendar (the data-live address on #day); whenever a time is
// taken or freed, it fetches the day grid again (data-src, as an htmx fragment request) and swaps
// it in, keeping the grid's horizontal scroll. It reconnects with exponential backoff (1 s up to
// 30 s) and refreshes after a reconnect, since messages sent meanwhile were missed. Hidden tabs
// refresh when shown again. Without JavaScript the page still has its Refresh link.
(function () {
  "use strict";
  var first = document.getElementById("day");
  if (!first || !("WebSocket" in window) || !window.fetch) return;
  var liveUrl = first.getAttribute("data-live");
  if (!liveUrl) return;

  var delay = 1000;
  var opened = false;
  var pingTimer = 0;
  var refreshTimer = 0;
  var dirty = false;
  var busy = false;

  function grid() {
    return document.getElementById("day");
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
    fetch(src, { credentials: "same-origin", headers: { "HX-Request": "true", "HX-Target": "div#day", Accept: "text/html" } })
      .then(function (res) {
        // A redirect means the session ended: keep what is shown (the Refresh link signs in again).
        return res.ok && !res.redirected ? res.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var t = document.createElement("template");
        t.innerHTML = html;
        var fresh = t.content.querySelector("#day");
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
