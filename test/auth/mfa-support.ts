/** Shared steps of the second-factor suites: new staff, TOTP codes, enrolment through the pages. */
import { env } from "cloudflare:workers";
import { Secret, TOTP } from "otpauth";
import { CLINICS, USERS } from "../fixtures";
import { Browser, sessionIdOf, type ClinicKey } from "../helpers";

let made = 0;

/** A new staff member of a clinic in one role (password: the fixtures' PASSWORD). */
export async function newStaff(role: string, clinic: ClinicKey = "north"): Promise<{ id: string; email: string }> {
  made += 1;
  const id = `u-mfa-${role}-${made}-${crypto.randomUUID().slice(0, 6)}`;
  const email = `${id}@riverside.test`;
  await env.DIRECTORY.batch([
    env.DIRECTORY.prepare("INSERT INTO users (id, email, name, password_hash) SELECT ?, ?, ?, password_hash FROM users WHERE id = ?").bind(id, email, `Staff ${id}`, USERS.owner.id),
    env.DIRECTORY.prepare("INSERT INTO memberships (user_id, clinic_id, role) VALUES (?, ?, ?)").bind(id, CLINICS[clinic].id, role),
  ]);
  return { id, email };
}

/** The code an authenticator app shows `steps` time steps from now. */
export function codeAt(secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + steps * 30_000 });
}

/** The key the security page shows for manual entry. */
export function secretOnPage(html: string): string {
  const m = html.match(/<code id="totp-secret">([A-Z2-7 ]+)<\/code>/);
  if (!m) throw new Error("no TOTP secret on the page");
  return m[1]!.replace(/ /g, "");
}

/** The recovery codes shown once after enrolment. */
export function codesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/** Enrols TOTP through /account/security with the current code; returns the secret and recovery codes. */
export async function enrolTotp(b: Browser): Promise<{ secret: string; codes: string[] }> {
  const page = await b.get("/account/security");
  if (page.status !== 200) throw new Error(`security page: ${page.status}`);
  const secret = secretOnPage(await page.text());
  const res = await b.post("/account/security/totp", { code: codeAt(secret) });
  if (res.status !== 200) throw new Error(`enrolment failed: ${res.status} ${await res.text()}`);
  return { secret, codes: codesOnPage(await res.text()) };
}

/** As if time passed: the last accepted code's step is forgotten, so the next code is fresh. */
export async function forgetLastCode(userId: string): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE totp_factors SET last_used_step = NULL WHERE user_id = ?").bind(userId).run();
}

/** Moves a session's last second-factor proof back in time. */
export async function ageProof(b: Browser, minutes: number): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE sessions SET second_factor_at = ? WHERE id = ?").bind(Date.now() - minutes * 60_000, sessionIdOf(b)).run();
}

export async function sessionRow(b: Browser) {
  return env.DIRECTORY.prepare("SELECT * FROM sessions WHERE id = ?").bind(sessionIdOf(b)).first<Record<string, number | string | null>>();
}

export async function setPolicy(clinic: ClinicKey, roles: string): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE clinics SET second_factor_roles = ? WHERE id = ?").bind(roles, CLINICS[clinic].id).run();
}
