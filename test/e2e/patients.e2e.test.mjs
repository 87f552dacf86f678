// A front-desk clerk signs in at riverside-north, registers a patient and finds them by search,
// once with JavaScript on (htmx active search) and once with it off (plain forms).
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

function uniqueName() {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let s = "";
  for (let i = 0; i < 8; i++) s += letters[Math.floor(Math.random() * letters.length)];
  return `Zed${s}`;
}

async function signIn(page, origin) {
  await page.goto(`${origin}/login`);
  await page.getByLabel("Email").fill("frontdesk@riverside.example");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${origin}/patients`);
}

async function registerPatient(page, origin, family) {
  await page.getByRole("link", { name: "New patient" }).click();
  await page.waitForURL(`${origin}/patients/new`);
  await page.getByLabel("Legal first name").fill("Esperanza");
  await page.getByLabel("Legal last name").fill(family);
  await page.getByLabel("Date of birth").fill("1988-02-29");
  await page.getByLabel("Sex assigned at birth").selectOption("female");
  await page.getByLabel("Phone", { exact: true }).fill("(555) 010-4477");
  await page.getByLabel("Email", { exact: true }).fill("esperanza@example.org");
  await page.getByLabel("Payer").fill("Aetna");
  await page.getByRole("button", { name: "Register patient" }).click();
  await page.waitForURL(/\/patients\/[0-9a-f-]{36}\?saved=1$/);
  await page.getByRole("heading", { name: `${family}, Esperanza` }).waitFor();
  return new URL(page.url()).pathname;
}

for (const javaScriptEnabled of [true, false]) {
  describe(`patients with JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    it("signs in, registers a patient, and finds them by search", async () => {
      const origin = server.origin("riverside-north");
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const cspErrors = [];
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
      });
      try {
        await signIn(page, origin);
        const family = uniqueName();
        const path = await registerPatient(page, origin, family);
        await page.goto(`${origin}/patients`);
        const search = page.getByLabel("Search by name, date of birth or phone");
        if (javaScriptEnabled) {
          const fragment = page.waitForResponse((r) => r.url().includes(`q=${family}`) && r.request().headers()["hx-request"] === "true");
          await search.pressSequentially(family, { delay: 20 });
          const res = await fragment;
          assert.equal(res.status(), 200);
          // The results were swapped in place: the document did not reload.
          assert.equal(await page.locator("h1", { hasText: "Patients" }).count(), 1);
        } else {
          await search.fill(family);
          await page.getByRole("button", { name: "Search" }).click();
          await page.waitForURL(`${origin}/patients?q=${family}`);
        }
        const link = page.locator(`#patient-results a[href="${path}"]`);
        await link.waitFor({ timeout: 10_000 });
        assert.equal(await link.textContent(), `${family}, Esperanza`);
        await link.click();
        await page.waitForURL(`${origin}${path}`);
        await page.getByText("Aetna").waitFor();
        assert.deepEqual(cspErrors, []);
      } finally {
        await context.close();
      }
    });
  });
}
