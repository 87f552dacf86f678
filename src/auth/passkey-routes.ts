/**
 * The passkey ceremonies, called by views/scripts/passkey.js with JSON (CSRF token in the
 * X-CSRF-Token header): options first, then the browser's answer. Access is declared in
 * src/mounts.ts. Without JavaScript none of this is used and the code forms work alone.
 */
import { Hono, type Context } from "hono";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { localPath, seeOther } from "../platform/render";
import { authenticateWithPasskey, authenticationOptions, registerPasskey, registrationOptions, removePasskey, type RelyingParty } from "./passkeys";
import { factorScope } from "./second-factor-routes";
import { provedWithin } from "./second-factor";
import { clearSessionCookie } from "./session";
import { requireRecentSecondFactor, STEP_UP_MS } from "./step-up";

/** /login/second-factor/passkey: proving the second factor with a passkey. */
export const passkeyLoginRoutes = new Hono<AppEnv>();
/** /account/security/passkeys: registering and removing one's own passkeys. */
export const passkeyRegisterRoutes = new Hono<AppEnv>();

/**
 * The relying party is the platform's base domain, not one clinic's host: a passkey belongs to the
 * person, who may work at several clinics (each a subdomain), and must work at each of them. The
 * origin checked is still this clinic's.
 */
function relyingParty(c: Context<AppEnv>): RelyingParty {
  const url = new URL(c.req.url);
  return { origin: url.origin, rpID: new URL(`${url.protocol}//${c.env.BASE_DOMAIN}`).hostname };
}

async function jsonBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw new AppError("unsupported_media_type", "Send this request as JSON.");
  }
  try {
    const body = await c.req.json();
    if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Falls through to the refusal below.
  }
  throw new AppError("bad_request", "The request could not be read.");
}

/** Errors of these JSON endpoints as JSON, so the script can show the sentence. */
function jsonError(c: Context<AppEnv>, err: unknown) {
  if (err instanceof AppError && err.status < 500) {
    if (err.code === "unauthenticated") clearSessionCookie(c);
    return c.json({ error: err.message, signIn: err.code === "unauthenticated" }, err.status as 400);
  }
  throw err;
}

passkeyLoginRoutes.post("/options", async (c) => {
  try {
    return c.json(await authenticationOptions(factorScope(c), relyingParty(c)));
  } catch (err) {
    return jsonError(c, err);
  }
});

passkeyLoginRoutes.post("/", async (c) => {
  try {
    const body = await jsonBody(c);
    await authenticateWithPasskey(factorScope(c), relyingParty(c), String(body.token ?? ""), body.response as AuthenticationResponseJSON);
    return c.json({ redirect: localPath(typeof body.next === "string" ? body.next : null) ?? "/patients" });
  } catch (err) {
    return jsonError(c, err);
  }
});

/** Adding a passkey to an account that has a factor needs a recent proof of it. */
function mayAddPasskey(c: Context<AppEnv>): void {
  const staff = c.var.staff;
  if (staff?.hasSecondFactor && !provedWithin(staff, STEP_UP_MS)) {
    throw new AppError("forbidden", "Confirm it is you with your current second factor first, then add the passkey.");
  }
}

passkeyRegisterRoutes.post("/options", async (c) => {
  try {
    mayAddPasskey(c);
    return c.json(await registrationOptions(factorScope(c), relyingParty(c)));
  } catch (err) {
    return jsonError(c, err);
  }
});

passkeyRegisterRoutes.post("/", async (c) => {
  try {
    mayAddPasskey(c);
    const body = await jsonBody(c);
    const pending = c.var.staff?.pending === "enrol";
    await registerPasskey(factorScope(c), relyingParty(c), String(body.token ?? ""), String(body.name ?? ""), body.response as RegistrationResponseJSON);
    const next = localPath(typeof body.next === "string" ? body.next : null) ?? "/patients";
    return c.json({ redirect: pending ? next : "/account/security?saved=passkey-added" });
  } catch (err) {
    return jsonError(c, err);
  }
});

passkeyRegisterRoutes.post("/:id/delete", requireRecentSecondFactor(), async (c) => {
  await removePasskey(factorScope(c), c.req.param("id"));
  return seeOther(c, "/account/security?saved=passkey-removed");
});
