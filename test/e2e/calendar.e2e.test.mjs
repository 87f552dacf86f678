// The front desk keeps the day view open; a patient books online; the appointment appears on the
// open calendar without a reload (hibernating WebSocket to the clinic's calendar object).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO_PASSWORD, launchBrowser, startServer } from "./harness.mjs";

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

describe("the front desk's day view", () => {
  it("shows an online booking as it happens, without reloading", async () => {
    const origin = server.origin("riverside-north");
    const patient = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const booking = await patient.newPage();
    await booking.goto(`${origin}/book/dr-patel`);
    await booking.locator(".choices a").first().click();
    const slot = booking.locator("button.slot").first();
    await slot.waitFor();
    const [, , startsAt] = (await slot.getAttribute("value")).split("|");
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date(Number(startsAt)));

    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await desk.newPage();
    await page.goto(`${origin}/login`);
    await page.getByLabel("Email").fill("frontdesk@riverside.example");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${origin}/patients`);
    const live = page.waitForEvent("websocket", { predicate: (ws) => ws.url().endsWith("/calendar/live") });
    await page.goto(`${origin}/calendar?date=${day}`);
    await live;
    let reloaded = false;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) reloaded = true;
    });

    const family = `Live${Math.random().toString(36).slice(2, 8)}`;
    await slot.click();
    await booking.getByLabel("First name").fill("Nora");
    await booking.getByLabel("Last name").fill(family);
    await booking.getByLabel("Date of birth").fill("1992-09-09");
    await booking.getByLabel("Mobile phone").fill("(555) 010-6060");
    await booking.getByRole("button", { name: "Book this time" }).click();
    await booking.getByRole("heading", { name: "You're booked" }).waitFor();

    await page.locator("#day").getByText(family, { exact: false }).waitFor({ timeout: 10_000 });
    assert.equal(reloaded, false, "the day view reloaded instead of updating in place");
    await patient.close();
    await desk.close();
  });
});
