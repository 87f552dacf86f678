// A patient books from a provider's link on a phone: with JavaScript on, with it off, and over a
// slow-3G line (400 ms latency, about 50 KB/s down), which must finish within 8 seconds.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { launchBrowser, startServer } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

function person() {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let s = "";
  for (let i = 0; i < 7; i++) s += letters[Math.floor(Math.random() * letters.length)];
  return { given: "Lena", family: `Book${s}` };
}

/** From the provider's link to the confirmation page. Returns the number of document requests. */
async function book(page, origin) {
  const who = person();
  await page.goto(`${origin}/book/dr-patel`);
  await page.locator(".choices a").first().click();
  await page.locator("button.slot").first().waitFor();
  const first = page.locator("button.slot").first();
  const when = (await first.textContent()).trim();
  await first.click();
  await page.getByLabel("First name").waitFor();
  await page.getByText("We are holding this time for you until").waitFor();
  await page.getByLabel("First name").fill(who.given);
  await page.getByLabel("Last name").fill(who.family);
  await page.getByLabel("Date of birth").fill("1990-05-17");
  await page.getByLabel("Mobile phone").fill("(555) 010-3344");
  await page.getByLabel("Email").fill("lena@example.org");
  await page.getByRole("button", { name: "Book this time" }).click();
  await page.getByRole("heading", { name: "You're booked" }).waitFor();
  await page.getByRole("link", { name: "Add to calendar (.ics)" }).waitFor();
  return { who, when };
}

for (const javaScriptEnabled of [true, false]) {
  describe(`booking from a link with JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    it("books a visit and shows the confirmation with the calendar file", async () => {
      const context = await browser.newContext({ ...PHONE, javaScriptEnabled, acceptDownloads: true });
      const page = await context.newPage();
      const errors = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      try {
        const origin = server.origin("riverside-north");
        const { who } = await book(page, origin);
        assert.match(await page.locator("dl.facts").textContent(), /Dr\. Priya Patel|Patel/);
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Add to calendar (.ics)" }).click()]);
        assert.equal(download.suggestedFilename(), "appointment.ics");
        const ics = await readFile(await download.path(), "utf8");
        assert.match(ics, /BEGIN:VTIMEZONE/);
        assert.match(ics, /DTSTART;TZID=America\/New_York:/);
        assert.ok(who.family);
        assert.deepEqual(errors, []);
        // Locally, the confirmation email lands in the development mailbox, with its links.
        await page.goto(`${origin}/dev/mailbox`);
        const mail = page.locator("article.mail").filter({ hasText: "lena@example.org" }).first();
        await mail.waitFor();
        // A new patient's typed address is not confirmed: the neutral confirmation, without the typed name.
        const text = await mail.textContent();
        assert.match(text, /Appointment booked at Riverside Health North/);
        assert.match(text, /if you did not book it/);
        assert.doesNotMatch(text, /Lena/);
        assert.ok((await mail.locator('a[href*="/book/ics?m="]').count()) >= 1);
      } finally {
        await context.close();
      }
    });
  });
}

describe("booking over slow 3G", () => {
  it("goes from the link to the confirmation in under 8 seconds", async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 20_000 });
    try {
      const started = Date.now();
      await book(page, server.origin("riverside-north"));
      const seconds = (Date.now() - started) / 1000;
      console.log(`slow-3G booking, link to confirmation: ${seconds.toFixed(2)} s`);
      assert.ok(seconds < 8, `took ${seconds.toFixed(2)} s`);
    } finally {
      await context.close();
    }
  });
});

describe("an open booking page", () => {
  it("drops a time that another patient just took, without reloading", async () => {
    const origin = server.origin("riverside-north");
    const a = await (await browser.newContext(PHONE)).newPage();
    await a.goto(`${origin}/book/dr-patel`);
    const typeHref = await a.locator(".choices a").first().getAttribute("href");
    const live = a.waitForEvent("websocket", { predicate: (ws) => ws.url().endsWith("/book/live") });
    await a.goto(new URL(typeHref, origin).href);
    await live;
    const value = await a.locator("button.slot").nth(3).getAttribute("value");
    let reloaded = false;
    a.on("framenavigated", (f) => {
      if (f === a.mainFrame()) reloaded = true;
    });
    const b = await (await browser.newContext(PHONE)).newPage();
    await b.goto(new URL(typeHref, origin).href);
    await b.locator(`button.slot[value="${value}"]`).first().click();
    await b.getByText("We are holding this time for you until").waitFor();
    await a.locator(`button.slot[value="${value}"]`).first().waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(reloaded, false);
    await a.context().close();
    await b.context().close();
  });
});
