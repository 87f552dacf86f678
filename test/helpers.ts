/** Driving the Worker like a browser: a cookie jar, CSRF tokens and sign-in. */
import { env, exports } from "cloudflare:workers";
import { CLINICS, PASSWORD } from "./fixtures";

export const BASE = "example.test";
export type ClinicKey = keyof typeof CLINICS;

export function host(clinic: ClinicKey | string): string {
  const slug = clinic in CLINICS ? CLINICS[clinic as ClinicKey].slug : clinic;
  return `${slug}.${BASE}`;
}

export function fetchWorker(url: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(url, { redirect: "manual", ...init }));
}

/** A browser at one origin: keeps cookies and reads the CSRF token from forms. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(public origin: string) {}

  static at(clinic: ClinicKey | string): Browser {
    return new Browser(`https://${host(clinic)}`);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetchWorker(`${this.origin}${path}`, { headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return res;
  }

  /** Posts a form as a browser does: same-origin, with the CSRF token unless told otherwise. */
  async post(path: string, fields: Record<string, string>, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
    if (!this.cookies.has("__Host-csrf")) await this.get("/login");
    const body = new URLSearchParams(fields);
    const token = opts.csrf === undefined ? this.cookies.get("__Host-csrf") : opts.csrf;
    if (token !== null && token !== undefined) body.set("_csrf", token);
    const res = await fetchWorker(`${this.origin}${path}`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: this.origin,
        cookie: this.cookieHeader(),
        ...opts.headers,
      },
    });
    this.keep(res);
    return res;
  }

  async signIn(email: string, password = PASSWORD): Promise<Response> {
    return this.post("/login", { email, password });
  }
}

export async function signedIn(clinic: ClinicKey, email: string): Promise<Browser> {
  const b = Browser.at(clinic);
  const res = await b.signIn(email);
  if (res.status !== 303) throw new Error(`sign-in of ${email} at ${clinic} failed: ${res.status} ${await res.text()}`);
  await markSecondFactorProved(b);
  return b;
}

/** The id of the session in a browser's cookie (the `sid` claim of its token). */
export function sessionIdOf(b: Browser): string {
  const token = b.cookies.get("__Host-session");
  if (!token) throw new Error("no session cookie");
  const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string };
  return payload.sid;
}

/**
 * Stands in for a second factor proved just now, so suites about other things reach the
 * step-up routes (audit export, role changes); test/auth/second-factor*.test.ts prove it for real.
 */
export async function markSecondFactorProved(b: Browser, at = Date.now()): Promise<void> {
  await env.DIRECTORY.prepare("UPDATE sessions SET second_factor_at = ?, pending = NULL WHERE id = ?").bind(at, sessionIdOf(b)).run();
}

export function clinicD1(clinic: ClinicKey): D1Database {
  return env[CLINICS[clinic].binding]!;
}

export async function auditRows(clinic: ClinicKey, where = "1=1", ...params: unknown[]) {
  const res = await clinicD1(clinic)
    .prepare(`SELECT * FROM audit_log WHERE ${where} ORDER BY id`)
    .bind(...params)
    .all<Record<string, string | number | null>>();
  return res.results;
}

/** A valid patient form; override any field. */
export function patientForm(over: Record<string, string> = {}): Record<string, string> {
  return {
    given_name: "Maria",
    family_name: "Rivera",
    preferred_name: "",
    date_of_birth: "1984-03-12",
    sex_at_birth: "female",
    gender_identity: "Woman",
    phone: "(555) 201-3344",
    email: "maria.rivera@example.org",
    address_line1: "12 Elm St",
    address_line2: "",
    city: "Springfield",
    region: "IL",
    postal_code: "62701",
    country: "US",
    preferred_language: "Spanish",
    emergency_name: "Jose Rivera",
    emergency_relationship: "Spouse",
    emergency_phone: "555-201-9988",
    insurance_payer: "Blue Cross",
    insurance_member_id: "XQ123456",
    insurance_group: "G-100",
    ...over,
  };
}

/** Registers a patient and returns its id. */
export async function registerPatient(b: Browser, over: Record<string, string> = {}): Promise<string> {
  const res = await b.post("/patients", patientForm(over));
  if (res.status !== 303) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const id = res.headers.get("location")!.match(/\/patients\/([^?]+)/)![1]!;
  return id;
}
