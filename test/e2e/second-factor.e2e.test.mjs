// A nurse at riverside-north turns on an authenticator app (reading the key from the page and
// computing the code as the app would), saves the recovery codes, signs out, then signs in with
// the password and a code, this time with JavaScript off, and reaches the patient list.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Secret, TOTP } from "otpauth";
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

const EMAIL = "nurse@riverside.example";

/** The code an authenticator app shows `steps` periods from now. */
function codeAt(secret, steps = 0) {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + steps * 30_000 });
}

async function signInWithPassword(page, origin) {
  await page.goto(`${origin}/login`);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("second factor in the browser", () => {
  it("enrols an authenticator app, signs out, and signs in again with password and code", async () => {
    const origin = server.origin("riverside-north");
    const context = await browser.newContext();
    const page = await context.newPage();
    const cspErrors = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });

    await signInWithPassword(page, origin);
    await page.waitForURL(`${origin}/patients`);
    await page.getByRole("link", { name: "Security" }).click();
    await page.waitForURL(`${origin}/account/security`);
    await page.getByRole("img", { name: "QR code of the authenticator app key" }).waitFor();
    assert.equal(await page.locator(".qr svg").count(), 1);
    // With JavaScript on, the passkey part is shown by the asset script.
    await page.getByRole("button", { name: "Add a passkey" }).waitFor();
    const secret = (await page.locator("#totp-secret").textContent()).replace(/\s+/g, "");
    assert.match(secret, /^[A-Z2-7]{32}$/);

    await page.getByLabel("Code from the app").fill(codeAt(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByRole("heading", { name: "Your recovery codes" }).waitFor();
    assert.equal(await page.locator("#recovery-codes li").count(), 10);
    await page.getByRole("link", { name: "I saved them, continue" }).click();
    await page.waitForURL(`${origin}/patients`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${origin}/login`);
    assert.deepEqual(cspErrors, []);
    await context.close();

    // Signing in again, with JavaScript off: the code form alone works.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const p2 = await plain.newPage();
    await signInWithPassword(p2, origin);
    await p2.waitForURL(`${origin}/login/second-factor?next=%2Fpatients`);
    // Not through yet: the patient list sends the pending session back to the code page.
    await p2.goto(`${origin}/patients`);
    await p2.waitForURL(`${origin}/login/second-factor?next=%2Fpatients`);
    assert.equal(await p2.getByRole("button", { name: "Use a passkey" }).count(), 0);

    await p2.getByLabel("Code from your authenticator app, or a recovery code").fill("000000" === codeAt(secret, 1) ? "111111" : "000000");
    await p2.getByRole("button", { name: "Verify" }).click();
    await p2.getByText("That code is not right or was already used").waitFor();

    await p2.getByLabel("Code from your authenticator app, or a recovery code").fill(codeAt(secret, 1));
    await p2.getByRole("button", { name: "Verify" }).click();
    await p2.waitForURL(`${origin}/patients`);
    await p2.getByRole("heading", { name: "Patients" }).waitFor();
    await plain.close();
  });
});
