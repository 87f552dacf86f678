// A provider runs a visit entirely in the chart: opens today's appointment from the calendar,
// reviews the chart, charts a note from a starter template (autosaved), records vitals and a
// PHQ-9 for the visit, attaches a scanned document, signs, finds the note in the timeline, and
// adds an addendum. The demo seed has a patient arrived for a visit now (scripts/seed.mjs).
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

/** A one-page PDF, as a scanner would write it (small, but a real PDF header and trailer). */
const SCANNED_PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

describe("a visit charted from today's appointment", () => {
  it("opens the appointment, charts from a template with vitals, a PHQ-9 and a document, signs, and adds an addendum", async () => {
    const origin = server.origin("riverside-north");
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.getByLabel("Email").fill("dr.patel@riverside.example");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));

    // Today's calendar: the patient with the full chart who has arrived (the seed books them now;
    // other demo patients may also have arrived, depending on the hour the suite runs).
    await page.goto(`${origin}/calendar`);
    await page.locator('a.appt.st-arrived[href*="/appointments/seed-now-"]').first().click();
    await page.waitForURL(/\/calendar\/appointments\//);
    await page.getByRole("button", { name: "Start visit" }).click();
    await page.waitForURL(/\/encounters\/[^/]+$/);
    const encounterUrl = page.url();
    const patientPath = await page.locator("header.chart-head h1 a").getAttribute("href");
    assert.match(patientPath, /^\/patients\/[^/]+$/);

    // Review: the allergy banner and the problem list are in front of the provider.
    await page.goto(`${origin}${patientPath}/chart`);
    assert.match(await page.locator(".allergy-banner").textContent(), /Penicillin/);
    assert.match(await page.locator("main").textContent(), /Type 2 diabetes mellitus/);

    // Chart from the starter library's general visit.
    await page.goto(encounterUrl);
    const template = page.getByLabel("Template");
    const general = await template.locator("option", { hasText: "General visit" }).first().getAttribute("value");
    await template.selectOption(general);
    await page.getByRole("button", { name: "Start a note" }).click();
    await page.waitForURL(/\/notes\/[^/]+$/);
    const noteUrl = page.url();
    await page.getByRole("textbox", { name: /Chief complaint/ }).fill("Follow-up of blood sugar and mood");
    await page.getByRole("textbox", { name: /History of present illness/ }).click(); // leaving the field saves
    await page.locator("#autosave-status", { hasText: "Saved at" }).waitFor();

    // Vitals for this visit, typed in °F and lb, from the note's vitals block.
    await page.getByRole("button", { name: "Record vitals" }).first().click();
    await page.getByLabel("Systolic pressure").fill("128");
    await page.getByLabel("Diastolic pressure").fill("82");
    await page.getByLabel("Pulse").fill("72");
    await page.getByLabel("Temperature", { exact: true }).fill("98.6");
    await page.getByLabel("Temperature unit").selectOption({ label: "°F" });
    await page.getByLabel("Weight", { exact: true }).fill("200");
    await page.getByLabel("Weight unit").selectOption({ label: "lb" });
    await page.getByRole("button", { name: "Save vitals" }).click();
    await page.waitForURL(noteUrl);
    const vitalsBlock = await page.locator("main").textContent();
    assert.match(vitalsBlock, /128\s*\/\s*82/);
    assert.match(vitalsBlock, /37(\.0)?\s*°C/);
    // What was typed before leaving the page was autosaved, so it is still there.
    assert.equal(await page.getByRole("textbox", { name: /Chief complaint/ }).inputValue(), "Follow-up of blood sugar and mood");

    // A PHQ-9 for the visit: "Several days" to every item scores 9, mild.
    await page.goto(encounterUrl);
    await page.getByRole("link", { name: "Administer PHQ-9" }).click();
    for (let item = 1; item <= 9; item++) {
      await page.getByRole("group", { name: new RegExp(`^${item}\\. `) }).getByLabel(/Several days/).check();
    }
    await page.getByRole("button", { name: "Save PHQ-9" }).click();
    await page.waitForURL(encounterUrl);
    assert.match(await page.locator("main").textContent(), /PHQ-9[\s\S]*\b9\b[\s\S]*mild/i);

    // A scanned referral letter, attached to the visit.
    await page.getByRole("link", { name: "Attach a document" }).click();
    await page.getByLabel("Title").fill("Scanned referral letter");
    await page.getByLabel("Category").selectOption("correspondence");
    await page.locator("input[type=file]").setInputFiles({ name: "referral.pdf", mimeType: "application/pdf", buffer: SCANNED_PDF });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.waitForURL(/\/documents\?uploaded=/);
    assert.match(await page.locator("main").textContent(), /Scanned referral letter/);

    // Finish the note and sign it.
    await page.goto(noteUrl);
    await page.getByRole("textbox", { name: /^Assessment/ }).fill("Type 2 diabetes, improving. Mild depressive symptoms, improving.");
    await page.getByRole("textbox", { name: /^Plan/ }).fill("Continue metformin and sertraline. HbA1c in 3 months.");
    await page.getByRole("button", { name: "Sign note" }).click();
    await page.getByText(/Signed by Dr\. Priya Patel/).first().waitFor();
    const signed = await page.locator("main").textContent();
    assert.match(signed, /Signed by Dr\. Priya Patel/);
    assert.match(signed, /SHA-256/);
    assert.equal(await page.getByRole("button", { name: "Sign note" }).count(), 0, "a signed note offers no signing or editing");

    // The timeline shows the signed note.
    await page.goto(`${origin}${patientPath}/chart/timeline`);
    const timeline = page.locator("main");
    assert.match(await timeline.textContent(), /General visit/);
    assert.match(await timeline.textContent(), /[Ss]igned/);

    // Later: a correction as an addendum below the signed note.
    await page.goto(noteUrl);
    await page.getByRole("textbox", { name: /[Aa]ddendum/ }).fill("Correction: HbA1c to be repeated in 12 weeks, not 3 months.");
    await page.getByRole("button", { name: "Sign and add addendum" }).click();
    await page.getByText(/Correction: HbA1c to be repeated in 12 weeks/).first().waitFor();
    assert.match(await page.locator("main").textContent(), /Correction: HbA1c to be repeated in 12 weeks/);
    await context.close();
  });
});
