/**
 * Passkeys (WebAuthn) as a second factor: registering one on /account/security and using it after
 * the password or for a step-up. The server checks every ceremony with @simplewebauthn/server.
 * A challenge travels in a signed five-minute token bound to the session, and is spent (its id
 * recorded in `used_tokens`) when the answer is checked, so each challenge works once.
 * See: https://www.w3.org/TR/webauthn-3/
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, eq } from "drizzle-orm";
import { audit } from "../audit/service";
import { base64url } from "../platform/crypto";
import { AppError, notFound } from "../platform/errors";
import { directoryDb } from "../platform/tenancy";
import { signToken, verifyToken } from "../platform/tokens";
import { passkeys, sessions, usedTokens } from "../schema/directory";
import { acceptProof, pendingStateFor, recordFailure, type FactorScope } from "./second-factor";

export const CHALLENGE_TTL_SECONDS = 5 * 60;

/** Where the ceremony happens: the relying party is the clinic's own host. */
export interface RelyingParty {
  origin: string;
  rpID: string;
}

type Kind = "register" | "login";

async function challengeToken(scope: FactorScope, kind: Kind, challenge: string): Promise<string> {
  return signToken(scope.env, {
    use: "webauthn",
    subject: scope.staff.id,
    clinicSlug: scope.clinic.slug,
    ttl: CHALLENGE_TTL_SECONDS,
    jti: crypto.randomUUID(),
    claims: { kind, chal: challenge, sid: scope.staff.sessionId },
  });
}

/** The challenge of a token issued to this session for this ceremony, spent now; refused otherwise. */
async function spendChallenge(scope: FactorScope, kind: Kind, token: string, now = Date.now()): Promise<string> {
  const claims = await verifyToken(scope.env, token, "webauthn", scope.clinic.slug);
  const invalid = new AppError("bad_request", "This passkey request has expired or was already used. Try again.");
  if (!claims || claims.kind !== kind || claims.sid !== scope.staff.sessionId || claims.sub !== scope.staff.id) throw invalid;
  if (typeof claims.chal !== "string" || !claims.jti || !claims.exp) throw invalid;
  const res = await directoryDb(scope.env)
    .insert(usedTokens)
    .values({ jti: claims.jti, kind: "webauthn", usedAt: now, expiresAt: claims.exp * 1000 })
    .onConflictDoNothing({ target: usedTokens.jti })
    .run();
  if (res.meta.changes === 0) throw invalid;
  return claims.chal;
}

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function userPasskeys(scope: FactorScope) {
  return directoryDb(scope.env)
    .select({ id: passkeys.id, publicKey: passkeys.publicKey, counter: passkeys.counter, transports: passkeys.transports, name: passkeys.name })
    .from(passkeys)
    .where(eq(passkeys.userId, scope.staff.id));
}

const transportsOf = (t: string) => (t ? t.split(",") : []) as ("usb" | "nfc" | "ble" | "internal" | "hybrid")[];

/** Options for navigator.credentials.create(), and the token that carries their challenge. */
export async function registrationOptions(scope: FactorScope, rp: RelyingParty) {
  const existing = await userPasskeys(scope);
  const options = await generateRegistrationOptions({
    rpName: scope.clinic.name,
    rpID: rp.rpID,
    userName: scope.staff.email,
    userDisplayName: scope.staff.name,
    userID: new TextEncoder().encode(scope.staff.id),
    attestationType: "none",
    excludeCredentials: existing.map((k) => ({ id: k.id, transports: transportsOf(k.transports) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  return { options, token: await challengeToken(scope, "register", options.challenge) };
}

/**
 * Checks a registration and stores the passkey. A session sent to enrol by the policy is complete
 * from here on (creating the passkey proved the device).
 */
export async function registerPasskey(scope: FactorScope, rp: RelyingParty, token: string, name: string, response: RegistrationResponseJSON, now = Date.now()) {
  const challenge = await spendChallenge(scope, "register", token, now);
  let verified;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpID, requireUserVerification: false });
  } catch (err) {
    await audit(scope, { action: "create", event: "auth.passkey_register", entityType: "user", entityId: scope.staff.id, outcome: "failure", detail: String((err as Error).message).slice(0, 200) });
    throw new AppError("bad_request", "The passkey could not be checked. Try again.");
  }
  if (!verified.verified) {
    await audit(scope, { action: "create", event: "auth.passkey_register", entityType: "user", entityId: scope.staff.id, outcome: "failure", detail: "not verified" });
    throw new AppError("bad_request", "The passkey could not be checked. Try again.");
  }
  const cred = verified.registrationInfo.credential;
  const d = directoryDb(scope.env);
  await d
    .insert(passkeys)
    .values({
      id: cred.id,
      userId: scope.staff.id,
      publicKey: base64url(cred.publicKey),
      counter: cred.counter,
      transports: (cred.transports ?? []).join(","),
      name: name.trim().slice(0, 60) || "Passkey",
      createdAt: now,
    })
    .onConflictDoNothing({ target: passkeys.id })
    .run();
  if (scope.staff.pending === "enrol") {
    await d.update(sessions).set({ pending: null, secondFactorAt: now, secondFactorFailures: 0 }).where(eq(sessions.id, scope.staff.sessionId)).run();
  }
  await audit(scope, { action: "create", event: "auth.passkey_register", entityType: "user", entityId: scope.staff.id, detail: `passkey "${name.slice(0, 60)}" registered` });
  return cred.id;
}

/** Options for navigator.credentials.get() with the user's passkeys, and the challenge token. */
export async function authenticationOptions(scope: FactorScope, rp: RelyingParty) {
  const keys = await userPasskeys(scope);
  if (keys.length === 0) throw new AppError("conflict", "You have no passkey. Use a code instead.");
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: keys.map((k) => ({ id: k.id, transports: transportsOf(k.transports) })),
    userVerification: "preferred",
  });
  return { options, token: await challengeToken(scope, "login", options.challenge) };
}

/** Checks a passkey assertion as the second factor of this session; counts a failure like a wrong code. */
export async function authenticateWithPasskey(scope: FactorScope, rp: RelyingParty, token: string, response: AuthenticationResponseJSON, now = Date.now()): Promise<void> {
  const challenge = await spendChallenge(scope, "login", token, now);
  const d = directoryDb(scope.env);
  const key = await d
    .select({ id: passkeys.id, publicKey: passkeys.publicKey, counter: passkeys.counter, transports: passkeys.transports })
    .from(passkeys)
    .where(and(eq(passkeys.id, String(response.id ?? "")), eq(passkeys.userId, scope.staff.id)))
    .get();
  let ok = false;
  let newCounter = 0;
  if (key) {
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpID,
        credential: { id: key.id, publicKey: fromBase64url(key.publicKey), counter: key.counter, transports: transportsOf(key.transports) },
        requireUserVerification: false,
      });
      ok = result.verified;
      newCounter = result.authenticationInfo.newCounter;
    } catch {
      ok = false;
    }
  }
  if (!ok || !key) {
    await recordFailure(scope, "passkey not verified", now);
    throw new AppError("bad_request", "The passkey was not accepted. Try again or enter a code.");
  }
  await d.update(passkeys).set({ counter: newCounter, lastUsedAt: now }).where(eq(passkeys.id, key.id)).run();
  await acceptProof(scope, "passkey", now);
}

/** Removes one of the user's own passkeys (after a recent second factor, checked by the route). */
export async function removePasskey(scope: FactorScope, id: string): Promise<void> {
  const d = directoryDb(scope.env);
  const gone = await d.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.userId, scope.staff.id))).returning({ name: passkeys.name }).get();
  if (!gone) throw notFound("This passkey");
  // Without any factor left, a role that must have one is sent to enrol again from the next page on.
  if ((await pendingStateFor(scope.env, scope.clinic, scope.staff.id)) === "enrol") {
    await d.update(sessions).set({ pending: "enrol" }).where(eq(sessions.id, scope.staff.sessionId)).run();
  }
  await audit(scope, { action: "delete", event: "auth.second_factor_remove", entityType: "user", entityId: scope.staff.id, detail: `passkey "${gone.name}" removed by its user` });
}
