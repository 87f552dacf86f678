// Issue 4's demo, against a real `wrangler dev` with the demo data: a booking's confirmation
// lands in the development mailbox; the cron scan (run by hand twice) queues each due reminder
// once; a signed SMS reply "Y" confirms the appointment, and the front desk's calendar shows it.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { DEMO_PASSWORD, SMS_AUTH_TOKEN, launchBrowser, startServer } from "./harness.mjs";

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

/** A request to the local server with a chosen Host (Node cannot resolve *.localhost). */
function call(host, path, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method, headers: { Host: host, ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function smsReply(slug, from, text) {
  const host = `${slug}.localhost:${server.port}`;
  const params = { Body: text, From: from, MessageSid: `SM${randomBytes(16).toString("hex")}`, To: "+15550100000" };
  const url = `http://${host}/webhooks/sms/inbound`;
  const signature = createHmac("sha1", SMS_AUTH_TOKEN).update(url + Object.keys(params).sort().map((k) => k + params[k]).join("")).digest("base64");
  const body = new URLSearchParams(params).toString();
  return call(host, "/webhooks/sms/inbound", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), "X-Twilio-Signature": signature },
    body,
  });
}

async function mailboxCount(page, origin, template) {
  await page.goto(`${origin}/dev/mailbox`);
  return page.locator("article.mail").filter({ hasText: template }).count();
}

describe("patient communication on the demo", () => {
  it("runs the cron scan twice without sending anything twice", async () => {
    const page = await (await browser.newContext()).newPage();
    const origin = server.origin("riverside-north");
    const first = await call(`localhost:${server.port}`, "/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*");
    assert.equal(first.status, 200);
    const once = await mailboxCount(page, origin, "reminder");
    const second = await call(`localhost:${server.port}`, "/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*");
    assert.equal(second.status, 200);
    assert.equal(await mailboxCount(page, origin, "reminder"), once);
    // The demo seeds a visit about 23 hours ahead in each clinic: its 24 h SMS is due.
    assert.ok(once >= 1, "the scan queued no reminder");
    console.log(`reminders in riverside-north's mailbox after two scans: ${once}`);
    const scans = server.log().split("\n").filter((l) => l.includes('"cron":"scan"'));
    for (const line of scans) console.log(`cron run: ${line.slice(line.indexOf("{"))}`);
    await page.context().close();
  });

  it("confirms an appointment from a signed SMS reply, visible on the front desk's calendar", async () => {
    const origin = server.origin("riverside-north");
    const patient = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
    await patient.goto(`${origin}/book/dr-patel`);
    await patient.locator(".choices a").first().click();
    const slot = patient.locator("button.slot").first();
    const [, , startsAt] = (await slot.getAttribute("value")).split("|");
    await slot.click();
    const family = `Texter${Math.random().toString(36).slice(2, 7)}`;
    const phone = `(555) 01${String(Math.floor(Math.random() * 10))}-${String(1000 + Math.floor(Math.random() * 8999))}`;
    await patient.getByLabel("First name").fill("Sam");
    await patient.getByLabel("Last name").fill(family);
    await patient.getByLabel("Date of birth").fill("1991-01-21");
    await patient.getByLabel("Mobile phone").fill(phone);
    await patient.getByRole("button", { name: "Book this time" }).click();
    await patient.getByRole("heading", { name: "You're booked" }).waitFor();

    const reply = await smsReply("riverside-north", `+1${phone.replace(/\D/g, "")}`, "Y");
    assert.equal(reply.status, 200);
    assert.match(reply.text, /<Response><Message>[^<]*confirmed/i);
    const forged = await call(`riverside-north.localhost:${server.port}`, "/webhooks/sms/inbound", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm9wZQ==" },
      body: "From=%2B15550000000&Body=Y&MessageSid=SMforged",
    });
    assert.equal(forged.status, 403);

    const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await desk.goto(`${origin}/login`);
    await desk.getByLabel("Email").fill("frontdesk@riverside.example");
    await desk.getByLabel("Password").fill(DEMO_PASSWORD);
    await desk.getByRole("button", { name: "Sign in" }).click();
    await desk.waitForURL(`${origin}/patients`);
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date(Number(startsAt)));
    await desk.goto(`${origin}/calendar?date=${day}`);
    const appt = desk.locator("a.appt", { hasText: family });
    await appt.waitFor();
    assert.match(await appt.getAttribute("class"), /st-confirmed/);
    await patient.context().close();
    await desk.context().close();
  });
});
