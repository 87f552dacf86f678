// The note editor's autosave script (views/scripts/autosave.js) in a real browser, against a small
// stand-in for the note's autosave endpoint: debounced saves, one request at a time, offline
// keeping and retry, restoring on load (and forgetting drafts that match the page or are older
// than 12 hours), the conflict view with "Keep my version", and a block's "Record vitals" button,
// which posts the form (save, then go on to `next`).
// Part of `npm run test:e2e` (needs Chromium).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, it } from "node:test";
import { chromium } from "playwright-core";

const script = readFileSync(new URL("../../views/scripts/autosave.js", import.meta.url), "utf8");

/** The server side of one note: its version and saved text, every autosave request and every plain post seen. */
const fresh = () => ({ version: 1, cc: "", plan: "", delayMs: 0, requests: [], posts: [], inFlight: 0, maxInFlight: 0 });
const note = fresh();

function editorHtml() {
  return `<!doctype html><html><body>
<div id="note-conflict"></div>
<form method="post" action="/notes/n1" data-autosave="/notes/n1/autosave" data-note-id="n1">
  <input type="hidden" name="_csrf" value="token">
  <input type="hidden" name="version" value="${note.version}" data-note-version>
  <button type="submit" hidden tabindex="-1">Save draft</button>
  <p id="autosave-status" class="save-status" role="status"></p>
  <textarea id="cc" name="f.cc">${note.cc}</textarea>
  <input id="other" name="f.plan" value="${note.plan}">
  <button type="submit" id="record-vitals" formaction="/notes/n1?next=${encodeURIComponent("/vitals?return=/note")}">Record vitals</button>
  <button type="submit">Save draft</button>
</form>
<script src="/autosave.js"></script>
</body></html>`;
}

function conflictHtml(mine) {
  return `<section class="card conflict" id="note-conflict" role="alert"><h2>This note was saved elsewhere</h2>
<p>Saved: ${note.cc} / This tab: ${mine}</p>
<form method="post" action="/notes/n1" data-keep-mine><input type="hidden" name="version" value="${note.version}" data-conflict-version>
<button type="submit" id="keep">Keep my version</button></form><a href="/note" data-use-saved id="use-saved">Use the saved version</a></section>`;
}

/** The plain post of the editor form: saved under the version check, then 303 to a local `next` or back to the note. */
function plainPost(req, res, url) {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const form = new URLSearchParams(body);
    note.posts.push({ form, next: url.searchParams.get("next") });
    if (Number(form.get("version")) !== note.version) {
      return res.writeHead(409, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html>${conflictHtml(form.get("f.cc"))}`);
    }
    note.version++;
    note.cc = form.get("f.cc") ?? "";
    note.plan = form.get("f.plan") ?? "";
    const next = url.searchParams.get("next");
    res.writeHead(303, { location: next && /^\/(?![/\\])/.test(next) ? next : "/note" }).end();
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (req.method === "GET" && url.pathname === "/vitals") {
    return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><h1>Record vitals</h1><a id="back" href="${url.searchParams.get("return")}">Back</a>`);
  }
  if (req.method === "POST" && url.pathname === "/notes/n1") return plainPost(req, res, url);
  if (req.method === "GET" && req.url === "/note") return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(editorHtml());
  if (req.method === "GET" && req.url === "/autosave.js") return res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script);
  if (req.method === "POST" && req.url === "/notes/n1/autosave") {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      note.requests.push(form);
      note.inFlight++;
      note.maxInFlight = Math.max(note.maxInFlight, note.inFlight);
      setTimeout(() => {
        note.inFlight--;
        if (Number(form.get("version")) !== note.version) {
          // As the app does: what is already saved, sent again, is not a conflict.
          if ((form.get("f.cc") ?? "") === note.cc && (form.get("f.plan") ?? "") === note.plan) {
            return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: note.version, savedAt: "10:42" }));
          }
          return res.writeHead(409, { "content-type": "text/html; charset=utf-8" }).end(conflictHtml(form.get("f.cc")));
        }
        note.version++;
        note.cc = form.get("f.cc") ?? "";
        note.plan = form.get("f.plan") ?? "";
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: note.version, savedAt: "10:42" }));
      }, note.delayMs);
    });
    return;
  }
  res.writeHead(404).end();
});

let browser;
let origin;

before(async () => {
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  server.close();
});

beforeEach(() => {
  Object.assign(note, fresh());
});

const status = (page) => page.locator("#autosave-status").textContent();
const version = (page) => page.locator("input[data-note-version]").inputValue();

/**
 * Stops the page's clock once it has loaded: its timers (the 1.5 s idle save, zero-delay saves)
 * then fire only through clock.runFor, so "nothing is sent for a while" is checked without
 * sleeping, and "just before the idle time" cannot drift on a slow machine.
 */
async function openWithStoppedClock(context) {
  const start = Date.parse("2026-12-03T09:00:00Z");
  await context.clock.install({ time: start });
  const page = await context.newPage();
  await page.goto(`${origin}/note`);
  await page.clock.pauseAt(start + 60_000);
  return page;
}

/** Whether the page has started a save (save() says so before its request leaves). */
const saving = async (page) => /^Saving|saving…$/.test(await status(page));

// Generous waits: a loaded 2-core machine can take seconds to start a page or answer a save.
async function until(fn, what, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what} (server: ${note.requests.length} saves, ${note.inFlight} in flight, version ${note.version}, cc "${note.cc}")`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("autosave", () => {
  it("saves once typing pauses, and shows the time and the new version", async () => {
    const context = await browser.newContext();
    const page = await openWithStoppedClock(context);
    await page.locator("#cc").pressSequentially("Cough", { delay: 20 });
    // Just short of the idle time after the last key, nothing has been sent.
    await page.clock.runFor(1_400);
    assert.equal(await saving(page), false, "nothing is sent while typing");
    assert.equal(note.requests.length, 0, "nothing is sent while typing");
    await page.clock.runFor(100);
    await until(async () => (await status(page)) === "Saved at 10:42", "the saved status");
    // Long past another idle time, the unchanged form has not been sent again.
    await page.clock.runFor(5_000);
    assert.equal(await status(page), "Saved at 10:42", "an unchanged form is not sent again");
    assert.equal(note.requests.length, 1, "an unchanged form is not sent again");
    assert.equal(note.cc, "Cough");
    assert.equal(note.requests[0].get("_csrf"), "token");
    assert.equal(await version(page), "2");
    await context.close();
  });

  it("sends one save at a time and queues the changes made meanwhile", async () => {
    note.delayMs = 800;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.locator("#cc").fill("First");
    await page.locator("#other").focus(); // leaving the field saves now
    await until(async () => note.inFlight === 1, "the first save");
    await page.locator("#cc").fill("First and second");
    await page.locator("#other").focus();
    await until(async () => note.requests.length === 2 && note.inFlight === 0, "the queued save", 30_000);
    assert.equal(note.maxInFlight, 1);
    assert.equal(note.requests[1].get("version"), "2", "the queued save carries the version of the first");
    assert.equal(note.cc, "First and second");
    // The server counts the save done just before it answers; the page takes the version from the answer.
    await until(async () => (await version(page)) === "3", "the page to take version 3");
    await context.close();
  });

  it("keeps the form on the device while offline and saves when the line returns", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await context.setOffline(true);
    await page.locator("#cc").fill("Typed offline");
    await page.locator("#other").focus();
    await until(async () => (await status(page)).startsWith("Offline — kept on this device"), "the offline status");
    const kept = JSON.parse(await page.evaluate(() => localStorage.getItem("note-draft:n1")));
    assert.equal(kept.version, "1");
    assert.deepEqual(kept.fields.find(([k]) => k === "f.cc"), ["f.cc", "Typed offline"]);
    assert.equal(note.cc, "");
    await context.setOffline(false);
    await until(async () => note.cc === "Typed offline", "the save after reconnecting");
    await until(async () => (await status(page)) === "Saved at 10:42", "the saved status");
    assert.equal(await page.evaluate(() => localStorage.getItem("note-draft:n1")), null);
    await context.close();
  });

  it("puts back changes kept on the device and saves them", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.evaluate(() => localStorage.setItem("note-draft:n1", JSON.stringify({ version: "1", fields: [["version", "1"], ["f.cc", "Kept text"]], at: Date.now() })));
    await page.reload();
    assert.equal(await page.locator("#cc").inputValue(), "Kept text");
    await until(async () => note.cc === "Kept text", "the restored save");
    await context.close();
  });

  it("shows the conflict view instead of overwriting another tab's save, and keeps mine only when asked", async () => {
    const context = await browser.newContext();
    // Time runs as usual; runFor below jumps the pages' clock past the idle time.
    await context.clock.install();
    const tabA = await context.newPage();
    const tabB = await context.newPage();
    await tabA.goto(`${origin}/note`);
    await tabB.goto(`${origin}/note`);
    await tabA.locator("#cc").fill("From tab A");
    await tabA.locator("#other").focus();
    await until(async () => note.cc === "From tab A", "tab A's save");
    await tabB.locator("#cc").fill("From tab B");
    await tabB.locator("#other").focus();
    await until(async () => (await tabB.locator("#note-conflict h2").count()) === 1, "the conflict view");
    assert.equal(note.cc, "From tab A", "nothing was overwritten");
    assert.match(await status(tabB), /saved in another tab/);
    // While the conflict is shown, typing sends nothing.
    const sent = note.requests.length;
    await tabB.locator("#cc").fill("From tab B, more");
    await tabB.locator("#other").focus();
    // The change is kept on the device; then, past the idle time on the page's clock, nothing was sent.
    await until(async () => (await tabB.evaluate(() => localStorage.getItem("note-draft:n1") ?? "")).includes("From tab B, more"), "the kept change");
    await tabB.clock.runFor(5_000);
    assert.equal(await saving(tabB), false);
    assert.equal(note.requests.length, sent);
    await tabB.locator("#keep").click();
    await until(async () => note.cc === "From tab B, more", "the explicit overwrite");
    assert.equal(note.requests.at(-1).get("overwrite"), "1");
    assert.equal(await tabB.locator("#note-conflict h2").count(), 0);
    await context.close();
  });

  it("restores changes made on an older version into a conflict, never an overwrite", async () => {
    note.version = 5;
    note.cc = "Saved elsewhere";
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.evaluate(() => localStorage.setItem("note-draft:n1", JSON.stringify({ version: "3", fields: [["f.cc", "Old local text"]], at: Date.now() })));
    await page.reload();
    await until(async () => (await page.locator("#note-conflict h2").count()) === 1, "the conflict view");
    assert.equal(note.cc, "Saved elsewhere");
    await page.locator("#use-saved").click();
    await page.waitForLoadState();
    assert.equal(await page.locator("#cc").inputValue(), "Saved elsewhere");
    assert.equal(await page.evaluate(() => localStorage.getItem("note-draft:n1")), null);
    await context.close();
  });

  it("holds a block's button until the save in flight finishes, then saves the page and goes on to next", async () => {
    note.delayMs = 800;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.locator("#cc").fill("First");
    await page.locator("#other").focus();
    await until(async () => note.inFlight === 1, "the first save");
    await page.locator("#cc").fill("First and more");
    await page.locator("#record-vitals").click();
    await until(async () => new URL(page.url()).pathname === "/vitals", "the vitals page");
    assert.equal(note.maxInFlight, 1);
    assert.equal(note.requests.length, 1, "the button's post carries the rest; no second autosave");
    assert.equal(note.posts.length, 1);
    assert.equal(note.posts[0].form.get("version"), "2", "posted with the version of the save that was in flight");
    assert.equal(note.posts[0].form.get("f.cc"), "First and more");
    assert.equal(note.posts[0].next, "/vitals?return=/note");
    assert.equal(note.cc, "First and more");
    assert.equal(note.version, 3);

    // Back to the note: whatever pagehide kept (under version 2) is what the page shows, so it is
    // forgotten, not restored into a false "saved elsewhere".
    const back = page.waitForEvent("load");
    await page.locator("#back").click();
    await back;
    assert.equal(new URL(page.url()).pathname, "/note");
    // The script runs before load, and a restore would say so right then (and keep saying it).
    assert.equal(await status(page), "", "nothing is restored");
    assert.equal(await page.locator("#note-conflict h2").count(), 0);
    assert.equal(await page.locator("#cc").inputValue(), "First and more");
    assert.equal(await version(page), "3");
    assert.equal(await page.evaluate(() => localStorage.getItem("note-draft:n1")), null);
    assert.equal(note.requests.length, 1, "nothing was sent on coming back");
    assert.doesNotMatch(await status(page), /Restored|saved in another tab/);
    await context.close();
  });

  it("forgets a draft kept on leaving by a plain post that then saved it, without a false conflict", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.locator("#other").fill("Fluids");
    // Enter submits at once (no save in flight) with the form's default button, "Save draft":
    // pagehide keeps the page under version 1, then the post makes it 2.
    const loaded = page.waitForEvent("load");
    await page.locator("#other").press("Enter");
    await loaded;
    assert.equal(note.posts.length, 1);
    assert.equal(note.posts[0].next, null, "Enter is Save draft, not a block's button");
    assert.equal(await version(page), "2");
    assert.equal(await status(page), "", "the kept draft is not restored");
    assert.equal(await page.locator("#note-conflict h2").count(), 0);
    assert.equal(await page.locator("#other").inputValue(), "Fluids");
    assert.equal(note.requests.length, 0, "no autosave of a stale version");
    assert.equal(await page.evaluate(() => localStorage.getItem("note-draft:n1")), null);

    // A kept draft that differs from the page is still put back and saved.
    await page.evaluate(() =>
      localStorage.setItem("note-draft:n1", JSON.stringify({ version: "2", fields: [["version", "2"], ["f.cc", ""], ["f.plan", "Fluids and rest"]], at: Date.now() })),
    );
    await page.reload();
    await until(async () => note.plan === "Fluids and rest", "the restored save");
    await context.close();
  });

  it("deletes drafts kept more than 12 hours ago, and never puts them back", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/note`);
    await page.evaluate(() => {
      const hours = (h) => Date.now() - h * 3_600_000;
      localStorage.setItem("note-draft:n1", JSON.stringify({ version: "1", fields: [["f.cc", "Yesterday's text"]], at: hours(13) }));
      localStorage.setItem("note-draft:other-note", JSON.stringify({ version: "4", fields: [["f.cc", "Another patient"]], at: hours(20) }));
      localStorage.setItem("note-draft:undated", JSON.stringify({ version: "4", fields: [["f.cc", "No time"]] }));
      localStorage.setItem("note-draft:recent", JSON.stringify({ version: "4", fields: [["f.cc", "This morning"]], at: hours(3) }));
      localStorage.setItem("unrelated", "stays");
    });
    // reload() returns after the load event, when the script has already dealt with the drafts:
    // a restore would have said so.
    await page.reload();
    assert.equal(await status(page), "", "no old draft is restored");
    assert.equal(await page.locator("#cc").inputValue(), "");
    assert.equal(note.requests.length, 0);
    assert.equal(note.cc, "");
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).sort()), ["note-draft:recent", "unrelated"]);

    // Within the 12 hours, the draft is put back.
    await page.evaluate(() =>
      localStorage.setItem("note-draft:n1", JSON.stringify({ version: "1", fields: [["f.cc", "Earlier today"]], at: Date.now() - 11 * 3_600_000 })),
    );
    await page.reload();
    assert.equal(await page.locator("#cc").inputValue(), "Earlier today");
    await until(async () => note.cc === "Earlier today", "the restored save");
    await context.close();
  });
});
