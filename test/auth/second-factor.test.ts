import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, Browser, markSecondFactorProved, registerPatient, signedIn } from "../helpers";
import { ageProof, codeAt, codesOnPage, enrolTotp, forgetLastCode, newStaff, secretOnPage, sessionRow, setPolicy } from "./mfa-support";

const dir = () => env.DIRECTORY;

// The fixture clinics require no factor; a test that sets a policy gets it undone afterwards.
afterEach(() => setPolicy("north", ""));

async function signInPassword(email: string): Promise<{ b: Browser; res: Response }> {
  const b = Browser.at("north");
  const res = await b.signIn(email);
  return { b, res };
}

/** Signs in with password and the TOTP code `steps` ahead; returns the browser at /patients. */
async function signInWithCode(email: string, secret: string, steps: number): Promise<Browser> {
  const { b, res } = await signInPassword(email);
  expect(res.headers.get("location")).toBe("/login/second-factor?next=%2Fpatients");
  const done = await b.post("/login/second-factor", { code: codeAt(secret, steps), next: "/patients" });
  expect(done.status).toBe(303);
  expect(done.headers.get("location")).toBe("/patients");
  return b;
}

describe("enrolling an authenticator app", () => {
  it("shows a server-rendered QR code and the key, refuses a wrong first code, then shows ten recovery codes once", async () => {
    const u = await newStaff("nurse");
    const { b } = await signInPassword(u.email);
    const page = await b.get("/account/security");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<div class="qr"[^>]*><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(html).not.toMatch(/<script>|\son[a-z]+=/);
    const secret = secretOnPage(html);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    const wrong = await b.post("/account/security/totp", { code: "000000" === codeAt(secret) ? "111111" : "000000" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("That code is not right");
    const blank = await b.post("/account/security/totp", { code: "" });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toContain("Enter the code.");
    expect(await dir().prepare("SELECT confirmed_at FROM totp_factors WHERE user_id = ?").bind(u.id).first("confirmed_at")).toBeNull();

    const ok = await b.post("/account/security/totp", { code: codeAt(secret) });
    expect(ok.status).toBe(200);
    const codes = codesOnPage(await ok.text());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = await dir().prepare("SELECT code_hash FROM recovery_codes WHERE user_id = ?").bind(u.id).all<{ code_hash: string }>();
    expect(stored.results).toHaveLength(10);
    // Stored hashed (SHA-256 hex), never as typed.
    for (const r of stored.results) expect(r.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.results.map((r) => r.code_hash)).not.toContain(codes[0]);
    expect(await dir().prepare("SELECT confirmed_at FROM totp_factors WHERE user_id = ?").bind(u.id).first("confirmed_at")).not.toBeNull();

    // Shown once: the security page now says the app is on, with no key and no codes.
    const after = await (await b.get("/account/security")).text();
    expect(after).toContain("10 unused recovery codes left");
    expect(after).not.toContain(codes[0]!);
    expect(after).not.toContain('id="totp-secret"');

    const rows = await auditRows("north", "event = 'auth.second_factor_enrol' AND user_id = ?", u.id);
    expect(rows.map((r) => r.outcome)).toEqual(["failure", "success"]);
  });
});

describe("signing in with a second factor", () => {
  it("sends a user with a factor to the code page; the pending session gets no patient page; the right code lets them in", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const patientId = await registerPatient(desk, { given_name: "Pending", family_name: "Guarded" });
    const u = await newStaff("front_desk");
    const { secret } = await enrolTotp((await signInPassword(u.email)).b);

    const { b, res } = await signInPassword(u.email);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login/second-factor?next=%2Fpatients");
    expect((await sessionRow(b))?.pending).toBe("second_factor");

    // Pending: every patient page and write is refused before any handler reads anything.
    const list = await b.get("/patients");
    expect(list.status).toBe(303);
    expect(list.headers.get("location")).toBe("/login/second-factor?next=%2Fpatients");
    const one = await b.get(`/patients/${patientId}`);
    expect(one.status).toBe(303);
    expect(await one.text()).not.toContain("Guarded");
    expect((await b.post("/patients", { given_name: "X" })).status).toBe(403);
    expect((await b.get("/account/security")).status).toBe(303);
    expect((await b.get("/settings/sign-in")).status).toBe(303);

    const form = await b.get("/login/second-factor?next=%2Fpatients");
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain("Second step of sign-in");
    expect(formHtml).not.toContain('href="/patients"');

    const wrong = await b.post("/login/second-factor", { code: "12345", next: "/patients" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("That code is not right or was already used");
    const failures = await auditRows("north", "event = 'auth.second_factor' AND user_id = ? AND outcome = 'failure'", u.id);
    expect(failures).toHaveLength(1);

    const ok = await b.post("/login/second-factor", { code: codeAt(secret, 1), next: "/patients" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/patients");
    expect((await sessionRow(b))?.pending).toBeNull();
    const page = await b.get(`/patients/${patientId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Guarded");
    const proved = await auditRows("north", "event = 'auth.second_factor' AND user_id = ? AND outcome = 'success'", u.id);
    expect(proved.at(-1)?.detail).toBe("totp");
  });

  it("lets a user without a factor in a role that does not require one sign in with the password alone", async () => {
    await setPolicy("north", "owner,admin,provider");
    const u = await newStaff("biller");
    const { b, res } = await signInPassword(u.email);
    expect(res.headers.get("location")).toBe("/patients");
    expect((await sessionRow(b))?.pending).toBeNull();
    await setPolicy("north", "");
  });

  it("refuses a code that was already used, even within its time window", async () => {
    const u = await newStaff("nurse");
    const { secret } = await enrolTotp((await signInPassword(u.email)).b);
    await signInWithCode(u.email, secret, 1);
    const { b } = await signInPassword(u.email);
    const again = await b.post("/login/second-factor", { code: codeAt(secret, 1), next: "/patients" });
    expect(again.status).toBe(422);
    // An older code of the window is refused too once a newer one was accepted.
    const older = await b.post("/login/second-factor", { code: codeAt(secret, 0), next: "/patients" });
    expect(older.status).toBe(422);
    expect((await sessionRow(b))?.pending).toBe("second_factor");
  });

  it("accepts each recovery code once", async () => {
    const u = await newStaff("nurse");
    const { codes } = await enrolTotp((await signInPassword(u.email)).b);
    const first = await signInPassword(u.email);
    const used = await first.b.post("/login/second-factor", { code: codes[3]!.toUpperCase(), next: "/patients" });
    expect(used.status).toBe(303);
    const rows = await auditRows("north", "event = 'auth.recovery_code_used' AND user_id = ?", u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).toBe("9 recovery codes left");

    const second = await signInPassword(u.email);
    const again = await second.b.post("/login/second-factor", { code: codes[3]!, next: "/patients" });
    expect(again.status).toBe(422);
    expect((await second.b.get("/patients")).status).toBe(303);
  });

  it("ends the pending session after five wrong codes", async () => {
    const u = await newStaff("nurse");
    await enrolTotp((await signInPassword(u.email)).b);
    const { b } = await signInPassword(u.email);
    const sid = (await sessionRow(b))!.id;
    for (let i = 0; i < 4; i++) expect((await b.post("/login/second-factor", { code: "999999x", next: "/patients" })).status).toBe(422);
    const last = await b.post("/login/second-factor", { code: "999999x", next: "/patients" });
    expect(last.status).toBe(401);
    expect(await last.text()).toContain("Too many wrong codes");
    const row = await dir().prepare("SELECT revoked_at FROM sessions WHERE id = ?").bind(sid).first<{ revoked_at: number | null }>();
    expect(row?.revoked_at).not.toBeNull();
    expect((await b.get("/patients")).headers.get("location")).toContain("/login");
    const ended = await auditRows("north", "event = 'auth.sign_out' AND user_id = ? AND outcome = 'denied'", u.id);
    expect(ended[0]!.detail).toBe("5 wrong second-factor codes");
  });
});

describe("guessing codes", () => {
  it("stops after ten codes per hour for one account, across sign-ins, even the right one", async () => {
    const u = await newStaff("nurse");
    const { secret } = await enrolTotp((await signInPassword(u.email)).b);
    for (let round = 0; round < 2; round++) {
      const { b } = await signInPassword(u.email);
      for (let i = 0; i < 5; i++) await b.post("/login/second-factor", { code: "000000" === codeAt(secret) ? "111111" : "000000", next: "/patients" });
    }
    const { b } = await signInPassword(u.email);
    const right = await b.post("/login/second-factor", { code: codeAt(secret), next: "/patients" });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await b.get("/patients")).status).not.toBe(200);
    expect(await auditRows("north", "event = 'auth.second_factor' AND user_id = ? AND outcome = 'denied'", u.id)).toHaveLength(1);
  });

  it("never lets a secret shown to one session be confirmed from another", async () => {
    const u = await newStaff("nurse");
    const first = (await signInPassword(u.email)).b;
    const seen = secretOnPage(await (await first.get("/account/security")).text());
    const owner = (await signInPassword(u.email)).b;
    const scanned = secretOnPage(await (await owner.get("/account/security")).text());
    expect(scanned).not.toBe(seen);
    // The first session's secret is gone; the owner confirms the one shown to them.
    expect((await first.post("/account/security/totp", { code: codeAt(seen) })).status).not.toBe(200);
    expect((await owner.post("/account/security/totp", { code: codeAt(seen) })).status).toBe(422);
    expect((await owner.post("/account/security/totp", { code: codeAt(scanned) })).status).toBe(200);
    expect(await dir().prepare("SELECT secret FROM totp_factors WHERE user_id = ?").bind(u.id).first("secret")).toBe(scanned);
  });
});

describe("the clinic's second-factor policy", () => {
  it("is changed by an owner, audited, and refuses roles not on the list", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const page = await owner.get("/settings/sign-in");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Roles that must use a second factor");
    const bad = await owner.post("/settings/sign-in", { roles: "superuser" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Roles: choose roles from the list.");
    expect(await dir().prepare("SELECT second_factor_roles FROM clinics WHERE slug = 'riverside-north'").first("second_factor_roles")).toBe("");

    const policy = () => dir().prepare("SELECT second_factor_roles FROM clinics WHERE slug = 'riverside-north'").first("second_factor_roles");
    const saved = await owner.post("/settings/sign-in", { roles: "provider" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/settings/sign-in?saved=1");
    expect(await policy()).toBe("provider");
    expect((await owner.post("/settings/sign-in", {})).status).toBe(303);
    expect(await policy()).toBe("");

    const desk = await signedIn("north", USERS.frontDesk.email);
    expect((await desk.get("/settings/sign-in")).status).toBe(403);
    const rows = await auditRows("north", "event = 'settings.second_factor_policy'");
    expect(rows.map((r) => r.detail)).toEqual(["roles that must use a second factor: none → provider", "roles that must use a second factor: provider → none"]);
    expect(rows[0]).toMatchObject({ user_id: USERS.owner.id, action: "update" });
  });

  it("sends a provider without a factor to enrol right after the password, and nowhere else until enrolled", async () => {
    await setPolicy("north", "owner,admin,provider");
    const prov = await newStaff("provider");
    const desk = await newStaff("front_desk");
    const d = await signInPassword(desk.email);
    expect(d.res.headers.get("location")).toBe("/patients");

    const { b, res } = await signInPassword(prov.email);
    expect(res.headers.get("location")).toBe("/account/security?next=%2Fpatients");
    expect((await sessionRow(b))?.pending).toBe("enrol");
    const blocked = await b.get("/patients");
    expect(blocked.status).toBe(303);
    expect(blocked.headers.get("location")).toBe("/account/security?next=%2Fpatients");
    expect((await b.get("/login/second-factor")).status).toBe(303);
    expect((await b.post("/patients", { given_name: "X" })).status).toBe(403);
    const security = await b.get("/account/security?next=%2Fpatients");
    expect(await security.text()).toContain("Your role at this clinic must use a second factor");

    const { secret } = { secret: secretOnPage(await (await b.get("/account/security")).text()) };
    const enrolled = await b.post("/account/security/totp", { code: codeAt(secret), next: "/patients" });
    expect(enrolled.status).toBe(200);
    expect(await enrolled.text()).toContain('href="/patients"');
    expect((await b.get("/patients")).status).toBe(200);
    // Sign-out works for a pending session too.
    const { b: again } = await signInPassword(prov.email);
    expect((await again.post("/logout", {})).status).toBe(303);
    await setPolicy("north", "");
  });
});

describe("step-up for sensitive actions", () => {
  it("sends an owner without a factor to enrol before exporting the audit log", async () => {
    const { b } = await signInPassword(USERS.owner.email);
    const res = await b.get("/audit/export.csv");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account/security?next=%2Faudit%2Fexport.csv&why=step-up");
    expect(await (await b.get(res.headers.get("location")!)).text()).toContain("That action needs a second factor");
    expect(await auditRows("north", "event = 'audit.export' AND user_id = ?", USERS.owner.id)).toHaveLength(0);
  });

  it("asks again for a code older than ten minutes before the audit export, then goes back to it", async () => {
    const u = await newStaff("owner");
    const { secret } = await enrolTotp((await signInPassword(u.email)).b);
    const b = await signInWithCode(u.email, secret, 1);
    await ageProof(b, 11);
    const res = await b.get("/audit/export.csv?action=read");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login/second-factor?next=%2Faudit%2Fexport.csv%3Faction%3Dread");
    const form = await (await b.get(res.headers.get("location")!)).text();
    expect(form).toContain("Confirm it is you");
    await forgetLastCode(u.id);
    const proved = await b.post("/login/second-factor", { code: codeAt(secret), next: "/audit/export.csv?action=read" });
    expect(proved.headers.get("location")).toBe("/audit/export.csv?action=read");
    const csv = await b.get("/audit/export.csv?action=read");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
  });

  it("asks for a recent second factor before a role change and changes nothing until then", async () => {
    const admin = await newStaff("admin");
    const target = await newStaff("biller");
    const { secret } = await enrolTotp((await signInPassword(admin.email)).b);
    const b = await signInWithCode(admin.email, secret, 1);
    await ageProof(b, 11);
    const res = await b.post(`/staff/${target.id}/role`, { role: "front_desk" }, { headers: { referer: `${b.origin}/staff` } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login/second-factor?next=%2Fstaff");
    const role = () => dir().prepare("SELECT role FROM memberships WHERE user_id = ?").bind(target.id).first("role");
    expect(await role()).toBe("biller");
    await forgetLastCode(admin.id);
    expect((await b.post("/login/second-factor", { code: codeAt(secret), next: "/staff" })).headers.get("location")).toBe("/staff");
    const changed = await b.post(`/staff/${target.id}/role`, { role: "front_desk" });
    expect(changed.status).toBe(303);
    expect(await role()).toBe("front_desk");
  });
});

describe("step-up for other privilege changes", () => {
  it("asks for a recent second factor before adding staff or changing the clinic's policy, and writes nothing until then", async () => {
    const owner = await newStaff("owner");
    const { secret } = await enrolTotp((await signInPassword(owner.email)).b);
    const b = await signInWithCode(owner.email, secret, 1);
    await ageProof(b, 11);
    const email = `added-${crypto.randomUUID().slice(0, 8)}@riverside.test`;
    const add = await b.post("/staff", { email, name: "New Admin", role: "admin" }, { headers: { referer: `${b.origin}/staff` } });
    expect(add.status).toBe(303);
    expect(add.headers.get("location")).toBe("/login/second-factor?next=%2Fstaff");
    expect(await dir().prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first("n")).toBe(0);
    await setPolicy("north", "owner,admin,provider");
    const policy = await b.post("/settings/sign-in", { roles: "front_desk" }, { headers: { referer: `${b.origin}/settings/sign-in` } });
    expect(policy.status).toBe(303);
    expect(policy.headers.get("location")).toBe("/login/second-factor?next=%2Fsettings%2Fsign-in");
    expect(await dir().prepare("SELECT second_factor_roles FROM clinics WHERE slug = 'riverside-north'").first("second_factor_roles")).toBe("owner,admin,provider");
  });
});

describe("an administrator resets a lost device", () => {
  it("removes the factors and recovery codes, ends the sessions, audits who and whom; the user enrols again", async () => {
    await setPolicy("north", "owner,admin,provider");
    const prov = await newStaff("provider");
    const first = await signInPassword(prov.email);
    await enrolTotp(first.b);
    const live = await signInPassword(prov.email);
    const liveSid = (await sessionRow(live.b))!.id;

    const admin = await signedIn("north", USERS.admin.email);
    const staffPage = await (await admin.get("/staff")).text();
    expect(staffPage).toContain(`/staff/${prov.id}/second-factor/reset`);
    const res = await admin.post(`/staff/${prov.id}/second-factor/reset`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/staff?saved=second-factor");
    for (const table of ["totp_factors", "recovery_codes", "passkeys"]) {
      expect(await dir().prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).bind(prov.id).first("n")).toBe(0);
    }
    expect(await dir().prepare("SELECT revoked_at FROM sessions WHERE id = ?").bind(liveSid).first("revoked_at")).not.toBeNull();
    const rows = await auditRows("north", "event = 'auth.second_factor_reset'");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: USERS.admin.id, entity_id: prov.id, outcome: "success" });
    expect(rows[0]!.detail).toContain(`${prov.email}: second factors and recovery codes removed by ${USERS.admin.email}`);

    const next = await signInPassword(prov.email);
    expect(next.res.headers.get("location")).toBe("/account/security?next=%2Fpatients");
    await setPolicy("north", "");
  });

  it("needs a recent second factor, staff:manage, and a member of this clinic", async () => {
    const prov = await newStaff("provider");
    const { b: admin } = await signInPassword(USERS.admin.email);
    const stale = await admin.post(`/staff/${prov.id}/second-factor/reset`, {});
    expect(stale.headers.get("location")).toContain("/account/security?next=");
    await markSecondFactorProved(admin);
    expect((await admin.post(`/staff/${USERS.hillOwner.id}/second-factor/reset`, {})).status).toBe(404);
    const provider = await signedIn("north", USERS.provider.email);
    expect((await provider.post(`/staff/${prov.id}/second-factor/reset`, {})).status).toBe(403);
  });

  it("leaves someone who also works at another clinic to their chain administrator, and an owner to an owner", async () => {
    const both = await newStaff("front_desk");
    await dir().prepare("INSERT INTO memberships (user_id, clinic_id, role) VALUES (?, ?, 'owner')").bind(both.id, CLINICS.south.id).run();
    await enrolTotp((await signInPassword(both.email)).b);
    const owner = await newStaff("owner");
    await enrolTotp((await signInPassword(owner.email)).b);
    const { b: admin } = await signInPassword(USERS.admin.email);
    await markSecondFactorProved(admin);
    const elsewhere = await admin.post(`/staff/${both.id}/second-factor/reset`, {});
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toContain("also works at other clinics");
    expect((await admin.post(`/staff/${owner.id}/second-factor/reset`, {})).status).toBe(403);
    for (const id of [both.id, owner.id]) {
      expect(await dir().prepare("SELECT count(*) AS n FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL").bind(id).first("n")).toBe(1);
    }
  });
});

describe("managing one's own factor", () => {
  it("turns the app off or makes new recovery codes only with a current code", async () => {
    const u = await newStaff("nurse");
    const { secret, codes } = await enrolTotp((await signInPassword(u.email)).b);
    const b = await signInWithCode(u.email, secret, 1);
    const wrong = await b.post("/account/security/recovery-codes", { code: "000000x" });
    expect(wrong.status).toBe(422);
    const fresh = await b.post("/account/security/recovery-codes", { code: codes[0]! });
    expect(fresh.status).toBe(200);
    const newCodes = codesOnPage(await fresh.text());
    expect(newCodes).toHaveLength(10);
    // The old codes stopped working.
    expect(await dir().prepare("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL").bind(u.id).first("n")).toBe(10);
    const off = await b.post("/account/security/totp/disable", { code: newCodes[0]! });
    expect(off.status).toBe(303);
    expect(await dir().prepare("SELECT count(*) AS n FROM totp_factors WHERE user_id = ?").bind(u.id).first("n")).toBe(0);
    const removed = await auditRows("north", "event = 'auth.second_factor_remove' AND user_id = ?", u.id);
    expect(removed.at(-1)?.outcome).toBe("success");
    const { res } = await signInPassword(u.email);
    expect(res.headers.get("location")).toBe("/patients");
  });
});
