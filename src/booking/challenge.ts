/**
 * The human check of public booking: asked only of a client past the soft abuse limits
 * (./abuse.ts). In production it is Cloudflare Turnstile: the page shows the widget (its script
 * from challenges.cloudflare.com, allowed by that page's CSP alone), the widget puts a one-time
 * token into the form as `cf-turnstile-response`, and the server checks it with siteverify
 * (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/).
 *
 * Which check a deployment uses comes from its configuration:
 * - `TURNSTILE_SECRET` (a secret) and `TURNSTILE_SITE_KEY` (a var) set: Turnstile.
 * - no secret: skipped outside production (local development): every request passes, no widget
 *   is shown. In production a missing secret or site key fails closed: past the soft limits is
 *   refused (429), as past the hard ones.
 * - `TURNSTILE_SECRET = "simulated"` outside production: the tests' simulator, which accepts only
 *   `SIMULATED_PASS` and shows a plain field in place of the widget.
 */
import type { Env } from "../platform/env";

/** The form field the widget fills in (Turnstile's own name for it). */
export const CHALLENGE_FIELD = "cf-turnstile-response";
/** The only token the simulator accepts. */
export const SIMULATED_PASS = "simulated-pass";

export const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";
const SITEVERIFY = `${TURNSTILE_ORIGIN}/turnstile/v0/siteverify`;

/** What a page shows to ask for the check; "none" when it cannot be asked (skipped or unconfigured). */
export type ChallengeWidget = { kind: "turnstile"; siteKey: string; script: string } | { kind: "simulated" } | { kind: "none" };

export interface Challenge {
  readonly widget: ChallengeWidget;
  /** True when the token proves a person passed the check just now (a Turnstile token is good once). */
  verify(token: string | undefined, ip: string | null): Promise<boolean>;
}

/** Cloudflare Turnstile, checked on the server with the deployment's secret. */
export function turnstile(secret: string, siteKey: string, fetcher: typeof fetch = fetch): Challenge {
  return {
    widget: { kind: "turnstile", siteKey, script: `${TURNSTILE_ORIGIN}/turnstile/v0/api.js` },
    async verify(token, ip) {
      if (!token || token.length > 2048) return false;
      const body = new FormData();
      body.set("secret", secret);
      body.set("response", token);
      if (ip) body.set("remoteip", ip);
      try {
        const res = await fetcher(SITEVERIFY, { method: "POST", body });
        if (!res.ok) return false;
        const out = (await res.json()) as { success?: unknown };
        return out.success === true;
      } catch (err) {
        // Turnstile unreachable: the client stays held at the soft limit rather than passing unchecked.
        console.error("turnstile siteverify failed", err);
        return false;
      }
    },
  };
}

/** No check (local development without a secret): everything passes. */
export const skipped: Challenge = { widget: { kind: "none" }, verify: async () => true };

/** Production without its configuration: nothing passes, so the soft limits act as hard ones. */
export const unconfigured: Challenge = { widget: { kind: "none" }, verify: async () => false };

/** The tests' stand-in: accepts `SIMULATED_PASS`, refuses everything else. */
export const simulated: Challenge = { widget: { kind: "simulated" }, verify: async (token) => token === SIMULATED_PASS };

/** The check this deployment uses (see the module comment). */
export function challengeFor(env: Pick<Env, "ENVIRONMENT" | "TURNSTILE_SECRET" | "TURNSTILE_SITE_KEY">): Challenge {
  const production = env.ENVIRONMENT === "production";
  const secret = env.TURNSTILE_SECRET;
  if (!secret) return production ? unconfigured : skipped;
  if (secret === "simulated") return production ? unconfigured : simulated;
  if (!env.TURNSTILE_SITE_KEY) return unconfigured;
  return turnstile(secret, env.TURNSTILE_SITE_KEY);
}

