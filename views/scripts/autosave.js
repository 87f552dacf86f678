// The note editor's autosave (views/notes/note.tsx). Without this script the editor is a plain
// form with "Save draft"; with it, the draft is saved about 1.5 s after typing stops and whenever
// a field is left, to the form's data-autosave address, with the form's version. One save at a
// time: changes made meanwhile go in the next one. The answer is {version, savedAt}; the new
// version goes into every [data-note-version] input (the sign button posts it too).
// When the line drops (the request fails, or the browser says it is offline) the unsaved form is
// kept in localStorage under "note-draft:<note id>", and saving is retried with backoff and as
// soon as the browser is back online. On load, changes kept on this device are put back and
// saved with the version they were made on: if the note moved on meanwhile, the server answers
// 409 with the conflict view (#note-conflict) instead of overwriting, and nothing more is sent
// until the author chooses "Keep my version" (saved again on the current version) or
// "Use the saved version" (reload). A kept draft that matches the page (kept on leaving through a
// save that then succeeded) is forgotten without a word. Kept drafts may hold clinical text on a
// shared workstation: each carries the time it was kept, and any older than 12 hours is deleted
// on load, never put back.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var url = form.getAttribute("data-autosave");
  var PREFIX = "note-draft:";
  var key = PREFIX + form.getAttribute("data-note-id");
  var status = document.getElementById("autosave-status");
  var IDLE_MS = 1500;
  var FIRST_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var DRAFT_TTL_MS = 12 * 60 * 60 * 1000; // a working day

  var timer = 0;
  var retryTimer = 0;
  var backoff = FIRST_RETRY_MS;
  var inFlight = false; // a save is on the wire
  var dirty = false; // the form has changes not sent yet
  var held = false; // a conflict (or a signed note) is shown: nothing is sent until the author chooses
  var waiting = false; // offline or refused for now: a retry is scheduled
  var overwriteNext = false; // the author chose "Keep my version"
  var afterSave = null; // a submit waiting for the save in flight
  var bypass = false;
  var lastSaved = null; // the fields as the server last took them: an unchanged form is not sent again

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.className = "save-status" + (kind ? " " + kind : "");
  }

  function setVersion(v) {
    var inputs = form.querySelectorAll("input[data-note-version]");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = String(v);
  }

  function currentVersion() {
    var input = form.querySelector("input[data-note-version]");
    return input ? input.value : "";
  }

  function values() {
    var pairs = [];
    new FormData(form).forEach(function (v, k) {
      if (typeof v === "string" && k !== "_csrf") pairs.push([k, v]);
    });
    return pairs;
  }

  /** The form's fields apart from its version, to tell whether anything changed since the last save. */
  function fieldsKey() {
    return JSON.stringify(
      values().filter(function (p) {
        return p[0] !== "version";
      }),
    );
  }

  function keep() {
    try {
      localStorage.setItem(key, JSON.stringify({ version: currentVersion(), fields: values(), at: Date.now() }));
    } catch (e) {
      // Storage full or disabled: the page itself still holds the changes.
    }
  }

  function forget() {
    try {
      localStorage.removeItem(key);
    } catch (e) {}
  }

  /** A kept draft from the last 12 hours; one without a time, or kept "in the future", is not trusted. */
  function isFresh(draft, now) {
    return !!draft && typeof draft.at === "number" && draft.at <= now + 60000 && now - draft.at <= DRAFT_TTL_MS;
  }

  /** The kept draft of this note, after deleting every draft on this device past its 12 hours. */
  function keptDraft() {
    var now = Date.now();
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) keys.push(k);
      }
      keys.forEach(function (k) {
        var d = null;
        try {
          d = JSON.parse(localStorage.getItem(k) || "null");
        } catch (e) {}
        if (!isFresh(d, now)) localStorage.removeItem(k);
      });
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function restore(pairs) {
    var map = {};
    pairs.forEach(function (p) {
      (map[p[0]] = map[p[0]] || []).push(p[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf" || el.type === "hidden" || el.type === "submit" || el.type === "button") return;
      var vals = map[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = vals.indexOf(el.value) >= 0;
      else el.value = vals.length ? vals[0] : "";
    });
  }

  /** The sentence of an error page or fragment, or of a JSON answer. */
  function messageOf(type, text) {
    if (type.indexOf("json") >= 0) {
      try {
        var j = JSON.parse(text);
        var first = j.fields && Object.keys(j.fields).length ? " " + j.fields[Object.keys(j.fields)[0]] : "";
        return (j.message || "Not saved.") + (first && j.message && j.message.indexOf(first.trim()) < 0 ? first : "");
      } catch (e) {}
    }
    var t = document.createElement("template");
    t.innerHTML = text;
    var p = t.content.querySelector(".card p, main p");
    return p ? p.textContent : "Not saved.";
  }

  function retryLater(message) {
    dirty = true;
    waiting = true;
    keep();
    say(message, "offline");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () {
      waiting = false;
      save();
    }, backoff + Math.random() * 500);
    backoff = Math.min(backoff * 2, MAX_RETRY_MS);
  }

  function offline() {
    retryLater("Offline — kept on this device, will save when the connection returns");
  }

  function showConflict(html) {
    held = true;
    keep();
    var t = document.createElement("template");
    t.innerHTML = html;
    var fresh = t.content.querySelector("#note-conflict");
    var box = document.getElementById("note-conflict");
    if (fresh && box) {
      box.replaceWith(fresh);
      wireConflict(fresh);
      var heading = fresh.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
    say("Not saved: this note was saved in another tab or on another device. Choose below which version to keep.", "error");
  }

  function wireConflict(box) {
    var keepForm = box.querySelector("form[data-keep-mine]");
    if (keepForm) {
      keepForm.addEventListener("submit", function (e) {
        // Save what this page holds now (it may have changed since the conflict), on the current version.
        e.preventDefault();
        var v = keepForm.querySelector("[data-conflict-version]");
        if (v) setVersion(v.value);
        var empty = document.createElement("div");
        empty.id = "note-conflict";
        box.replaceWith(empty);
        held = false;
        dirty = true;
        overwriteNext = true;
        save();
      });
    }
    var useSaved = box.querySelector("[data-use-saved]");
    if (useSaved) {
      useSaved.addEventListener("click", function () {
        forget();
        held = false;
        dirty = false;
      });
    }
  }

  function refused(res, text) {
    var type = res.headers.get("content-type") || "";
    if (res.status === 409) return showConflict(text);
    if (res.status === 423) {
      held = true;
      forget();
      return say(messageOf(type, text) + " Your unsaved changes are still on this page.", "error");
    }
    if (res.status === 422) {
      keep();
      return say(messageOf(type, text), "error");
    }
    if (res.status === 401) return retryLater("Not saved: your session ended. Sign in again in another tab; your changes are kept on this device.");
    if (res.status === 403 || res.status === 404) {
      held = true;
      return say(messageOf(type, text), "error");
    }
    retryLater("Not saved yet — kept on this device, trying again.");
  }

  function save() {
    clearTimeout(timer);
    if (held || !dirty || waiting) return;
    // The save in flight sends again when it returns, since `dirty` stays true.
    if (inFlight) return;
    if (navigator.onLine === false) return offline();
    var sent = fieldsKey();
    dirty = false;
    if (sent === lastSaved && !overwriteNext) return;
    inFlight = true;
    var body = new URLSearchParams(new FormData(form));
    if (overwriteNext) body.set("overwrite", "1");
    say("Saving…");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        return res.text().then(function (text) {
          var type = res.headers.get("content-type") || "";
          if (res.ok && type.indexOf("json") >= 0) {
            var j = JSON.parse(text);
            setVersion(j.version);
            lastSaved = sent;
            overwriteNext = false;
            backoff = FIRST_RETRY_MS;
            if (dirty) keep();
            else forget();
            say("Saved at " + j.savedAt, "ok");
          } else {
            refused(res, text);
          }
        });
      })
      .catch(function () {
        offline();
      })
      .then(function () {
        inFlight = false;
        if (afterSave) {
          var next = afterSave;
          afterSave = null;
          return next();
        }
        if (dirty && !held && !waiting) save();
      });
  }

  function changed() {
    dirty = true;
    if (held || waiting) return keep();
    clearTimeout(timer);
    timer = setTimeout(save, IDLE_MS);
  }

  function soon() {
    if (!dirty) return;
    clearTimeout(timer);
    timer = setTimeout(save, 0);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function () {
    changed();
    soon();
  });
  form.addEventListener("focusout", soon);

  // "Save draft", "Sign note" and the blocks' "Record vitals", "Administer" and "Open the … list"
  // (which save, then go on to `next`) post the whole form: let a save in flight finish first, so
  // the version they carry is the current one. `pagehide` still keeps unsent changes, in case the
  // post never arrives; the next load drops them if they were saved after all.
  form.addEventListener("submit", function (e) {
    if (bypass) return;
    clearTimeout(timer);
    if (navigator.onLine === false) {
      e.preventDefault();
      return offline();
    }
    if (inFlight) {
      e.preventDefault();
      var submitter = e.submitter;
      afterSave = function () {
        if (held || waiting) return;
        bypass = true;
        forget();
        if (form.requestSubmit && submitter) form.requestSubmit(submitter);
        else form.submit();
      };
      return say("Saving…");
    }
    forget();
  });

  window.addEventListener("online", function () {
    if (!dirty || held) return;
    clearTimeout(retryTimer);
    waiting = false;
    backoff = FIRST_RETRY_MS;
    save();
  });
  window.addEventListener("offline", function () {
    if (dirty) offline();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) {
      keep();
      soon();
    }
  });
  window.addEventListener("pagehide", function () {
    if (dirty || inFlight) keep();
  });

  var box = document.getElementById("note-conflict");
  if (box && box.querySelector("form[data-keep-mine]")) wireConflict(box);

  // Changes kept on this device by an earlier visit: put them back and save them with the version
  // they were made on (a conflict, if the note moved on meanwhile, rather than an overwrite).
  // Leaving through "Save draft" or a block's button keeps the page on `pagehide` under the version
  // it had before that save succeeded: such a draft equals what the page now shows, and is dropped
  // (restoring it would raise a false "saved elsewhere").
  lastSaved = fieldsKey();
  var stored = keptDraft();
  if (stored && Array.isArray(stored.fields) && stored.version) {
    var shown = JSON.stringify(values());
    restore(stored.fields);
    if (JSON.stringify(values()) === shown) {
      forget();
    } else {
      setVersion(stored.version);
      dirty = true;
      say("Restored changes kept on this device; saving…");
      save();
    }
  } else if (stored) {
    forget();
  }
})();
