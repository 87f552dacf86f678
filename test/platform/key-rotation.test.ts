import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/platform/env";
import { keyRing, signToken, verifyToken } from "../../src/platform/tokens";
import { readShortResponseCode, shortResponseCode } from "../../src/messaging/respond";
import { USERS } from "../fixtures";
import { Browser, host } from "../helpers";

const NEW_SECRET = "n".repeat(20) + crypto.randomUUID();
const NEWER_SECRET = "m".repeat(20) + crypto.randomUUID();

/** The deployment after an operator added a new key in front of the old single SESSION_SECRET. */
const rotated = { ...env, SESSION_SECRETS: `k2:${NEW_SECRET}` } as unknown as Env;

/** A request to the Worker running with another environment (the same databases). */
async function fetchWith(bindings: Env, path: string, cookie: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://${host("north")}${path}`, { headers: { cookie }, redirect: "manual" }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("rotating the signing key", () => {
  it("keeps a session signed with the old key working after rotation, and signs new tokens with the new key id", async () => {
    const b = Browser.at("north");
    expect((await b.signIn(USERS.frontDesk.email)).status).toBe(303);
    const oldSession = b.cookies.get("__Host-session")!;
    expect(decodeProtectedHeader(oldSession).kid).toBeUndefined();

    const res = await fetchWith(rotated, "/patients", `__Host-session=${oldSession}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Frank Desk");

    const fresh = await signToken(rotated, { use: "session", subject: "u", clinicSlug: "riverside-north", ttl: 60 });
    expect(decodeProtectedHeader(fresh).kid).toBe("k2");
    expect(await verifyToken(rotated, fresh, "session", "riverside-north")).toMatchObject({ sub: "u" });
    // The old single-key deployment cannot read it: the new key signed it.
    expect(await verifyToken(env, fresh, "session", "riverside-north")).toBeNull();
  });

  it("refuses a token that names a key id the ring does not know", async () => {
    const later = { ...env, SESSION_SECRETS: `k3:${NEWER_SECRET},k2:${NEW_SECRET}` };
    const byK3 = await signToken(later, { use: "session", subject: "u", clinicSlug: "riverside-north", ttl: 60 });
    expect(decodeProtectedHeader(byK3).kid).toBe("k3");
    expect(await verifyToken(later, byK3, "session", "riverside-north")).not.toBeNull();
    // k2 still verifies what it signed; a ring without k3 refuses k3's tokens.
    const byK2 = await signToken(rotated, { use: "session", subject: "u", clinicSlug: "riverside-north", ttl: 60 });
    expect(await verifyToken(later, byK2, "session", "riverside-north")).not.toBeNull();
    expect(await verifyToken(rotated, byK3, "session", "riverside-north")).toBeNull();
    // Once k2 leaves the ring, its tokens are refused.
    expect(await verifyToken({ SESSION_SECRETS: `k3:${NEWER_SECRET}` }, byK2, "session", "riverside-north")).toBeNull();
    // A session cookie with an unknown kid is no session.
    const res = await fetchWith(rotated, "/patients", `__Host-session=${byK3}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/login");
  });

  it("refuses a token without a key id once the legacy SESSION_SECRET is retired", async () => {
    const legacy = await signToken(env, { use: "session", subject: "u", clinicSlug: "riverside-north", ttl: 60 });
    expect(await verifyToken({ SESSION_SECRETS: `k2:${NEW_SECRET}` }, legacy, "session", "riverside-north")).toBeNull();
  });

  it("opens SMS short codes made with the previous key", async () => {
    const id = crypto.randomUUID();
    const code = await shortResponseCode(env, { slug: "riverside-north" }, id);
    expect(await readShortResponseCode(rotated, { slug: "riverside-north" }, code)).toBe(id);
    expect(await readShortResponseCode({ SESSION_SECRETS: `k2:${NEW_SECRET}` } as Env, { slug: "riverside-north" }, code)).toBeNull();
  });

  it("refuses a malformed ring with a clear message", () => {
    expect(() => keyRing({ SESSION_SECRETS: `no-colon-here-${NEW_SECRET}` })).toThrow(/kid:secret/);
    expect(() => keyRing({ SESSION_SECRETS: "k1:short" })).toThrow(/32 characters/);
    expect(() => keyRing({ SESSION_SECRETS: `k1:${NEW_SECRET},k1:${NEWER_SECRET}` })).toThrow(/twice/);
  });
});
