// Passkeys checked on the server, against a software authenticator built here with WebCrypto
// (ES256, attestation "none"), as a browser's navigator.credentials would answer.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { auditRows, Browser, fetchWorker } from "../helpers";
import { ageProof, enrolTotp, newStaff, sessionRow, setPolicy } from "./mfa-support";

afterEach(() => setPolicy("north", ""));

const ORIGIN = "https://riverside-north.example.test";
// The base domain: one passkey serves every clinic (subdomain) its holder works at.
const RP_ID = "example.test";

// --- a minimal CBOR encoder (RFC 8949): what attestation objects and COSE keys need ----------

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  return [(major << 5) | 25, n >> 8, n & 255];
}
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function cbor(v: Cbor): number[] {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const b = new TextEncoder().encode(v);
    return [...head(3, b.length), ...b];
  }
  if (v instanceof Uint8Array) return [...head(2, v.length), ...v];
  const out = head(5, v.size);
  for (const [k, val] of v) out.push(...cbor(k), ...cbor(val));
  return out;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const sha256 = async (bytes: Uint8Array<ArrayBuffer>) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** ECDSA raw r||s (WebCrypto) to the DER form WebAuthn signatures use. */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.slice(i);
    return v[0]! & 0x80 ? [0x02, v.length + 1, 0, ...v] : [0x02, v.length, ...v];
  };
  const body = [...int(raw.slice(0, 32)), ...int(raw.slice(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

class SoftAuthenticator {
  credentialId = crypto.getRandomValues(new Uint8Array(16));
  counter = 0;
  private constructor(private keys: CryptoKeyPair) {}

  static async create(): Promise<SoftAuthenticator> {
    return new SoftAuthenticator((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair);
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  async register(challenge: string, origin = ORIGIN) {
    const jwk = (await crypto.subtle.exportKey("jwk", this.keys.publicKey)) as JsonWebKey;
    const coord = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const cose = new Uint8Array(cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, coord(jwk.x!)], [-3, coord(jwk.y!)]])));
    const authData = new Uint8Array([
      ...(await sha256(new TextEncoder().encode(RP_ID))),
      0x45, // user present, user verified, attested credential data
      ...u32(this.counter),
      ...new Uint8Array(16), // AAGUID
      0,
      this.credentialId.length,
      ...this.credentialId,
      ...cose,
    ]);
    const attestationObject = new Uint8Array(cbor(new Map<Cbor, Cbor>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]])));
    const clientDataJSON = new TextEncoder().encode(JSON.stringify({ type: "webauthn.create", challenge, origin, crossOrigin: false }));
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
    };
  }

  async assert(challenge: string, origin = ORIGIN) {
    this.counter += 1;
    const authData = new Uint8Array([...(await sha256(new TextEncoder().encode(RP_ID))), 0x05, ...u32(this.counter)]);
    const clientDataJSON = new TextEncoder().encode(JSON.stringify({ type: "webauthn.get", challenge, origin, crossOrigin: false }));
    const signed = new Uint8Array([...authData, ...(await sha256(clientDataJSON))]);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed));
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(derSignature(raw)) },
    };
  }
}

/** A JSON POST as views/scripts/passkey.js sends it. */
async function postJson(b: Browser, path: string, body: unknown = {}) {
  const res = await fetchWorker(`${b.origin}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", origin: b.origin, cookie: b.cookieHeader(), "x-csrf-token": b.cookies.get("__Host-csrf") ?? "" },
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function registerWith(b: Browser, auth: SoftAuthenticator, name = "Laptop") {
  const opts = await postJson(b, "/account/security/passkeys/options");
  expect(opts.status).toBe(200);
  return postJson(b, "/account/security/passkeys", { token: opts.json.token, name, next: "/patients", response: await auth.register(opts.json.options.challenge) });
}

async function signInPassword(email: string) {
  const b = Browser.at("north");
  const res = await b.signIn(email);
  return { b, res };
}

describe("passkeys", () => {
  it("registers a passkey as the factor a provider's policy requires, checked on the server; removing it sends the session back to enrolment", async () => {
    await setPolicy("north", "provider");
    const u = await newStaff("provider");
    const { b, res } = await signInPassword(u.email);
    expect(res.headers.get("location")).toBe("/account/security?next=%2Fpatients");
    const page = await (await b.get("/account/security")).text();
    expect(page).toMatch(/<div data-passkey-register(="true")? hidden>/);
    expect(page).toMatch(/<script src="\/assets\/passkey\.[0-9a-f]+\.js" defer><\/script>/);

    const auth = await SoftAuthenticator.create();
    const done = await registerWith(b, auth);
    expect(done.status).toBe(200);
    expect(done.json.redirect).toBe("/patients");
    const row = await env.DIRECTORY.prepare("SELECT * FROM passkeys WHERE user_id = ?").bind(u.id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ id: auth.id, name: "Laptop", counter: 0, transports: "internal" });
    expect((await sessionRow(b))?.pending).toBeNull();
    expect((await b.get("/patients")).status).toBe(200);
    expect((await auditRows("north", "event = 'auth.passkey_register' AND user_id = ?", u.id))[0]).toMatchObject({ outcome: "success" });

    // Removing the only factor while the policy requires one sends the session back to enrolment.
    const removed = await b.post(`/account/security/passkeys/${auth.id}/delete`, {});
    expect(removed.headers.get("location")).toBe("/account/security?saved=passkey-removed");
    expect(await env.DIRECTORY.prepare("SELECT count(*) AS n FROM passkeys WHERE user_id = ?").bind(u.id).first("n")).toBe(0);
    expect((await sessionRow(b))?.pending).toBe("enrol");
    expect((await b.get("/patients")).headers.get("location")).toBe("/account/security?next=%2Fpatients");
    expect((await auditRows("north", "event = 'auth.second_factor_remove' AND user_id = ?", u.id))[0]!.detail).toBe('passkey "Laptop" removed by its user');
  });

  it("proves the second factor at sign-in with a passkey; a replayed challenge or another key is refused", async () => {
    const u = await newStaff("nurse");
    const auth = await SoftAuthenticator.create();
    const first = await signInPassword(u.email);
    expect((await registerWith(first.b, auth)).status).toBe(200);

    const { b, res } = await signInPassword(u.email);
    expect(res.headers.get("location")).toBe("/login/second-factor?next=%2Fpatients");
    const form = await (await b.get("/login/second-factor?next=%2Fpatients")).text();
    // The passkey button is hidden until the script shows it; the code form works without it.
    expect(form).toMatch(/<div class="passkey" data-passkey-login(="true")? data-next="\/patients" hidden>/);

    const stranger = await SoftAuthenticator.create();
    stranger.credentialId = auth.credentialId;
    const opts0 = await postJson(b, "/login/second-factor/passkey/options");
    const forged = await postJson(b, "/login/second-factor/passkey", { token: opts0.json.token, next: "/patients", response: await stranger.assert(opts0.json.options.challenge) });
    expect(forged.status).toBe(400);
    expect((await sessionRow(b))?.pending).toBe("second_factor");

    const opts = await postJson(b, "/login/second-factor/passkey/options");
    expect(opts.json.options.allowCredentials).toEqual([{ id: auth.id, type: "public-key", transports: ["internal"] }]);
    const assertion = await auth.assert(opts.json.options.challenge);
    const ok = await postJson(b, "/login/second-factor/passkey", { token: opts.json.token, next: "/patients", response: assertion });
    expect(ok).toEqual({ status: 200, json: { redirect: "/patients" } });
    expect((await sessionRow(b))?.pending).toBeNull();
    expect(await env.DIRECTORY.prepare("SELECT counter FROM passkeys WHERE id = ?").bind(auth.id).first("counter")).toBe(auth.counter);

    // The same challenge token works once.
    const replay = await postJson(b, "/login/second-factor/passkey", { token: opts.json.token, next: "/patients", response: assertion });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toContain("expired or was already used");

    const rows = await auditRows("north", "event = 'auth.second_factor' AND user_id = ?", u.id);
    expect(rows.map((r) => [r.outcome, r.detail])).toEqual([
      ["failure", "passkey not verified"],
      ["success", "passkey"],
    ]);
  });

  it("asks for a recent proof before adding a passkey to an account that has a factor", async () => {
    const u = await newStaff("nurse");
    const first = await signInPassword(u.email);
    await enrolTotp(first.b);
    await ageProof(first.b, 11);
    const refused = await postJson(first.b, "/account/security/passkeys/options");
    expect(refused.status).toBe(403);
    expect(refused.json.error).toContain("Confirm it is you");
  });
});
