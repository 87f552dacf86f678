/**
 * Second-factor pages. /login/second-factor proves the factor after the password (and again for a
 * step-up); /account/security enrols and manages the user's own factors; /settings/sign-in is the
 * clinic's policy of which roles must use one. Access is declared in src/mounts.ts.
 */
import { Hono, type Context } from "hono";
import { renderSVG } from "uqr";
import * as z from "zod/mini";
import { LoginForm } from "../../views/auth/login";
import { PolicyPage, RecoveryCodesPage, SecondFactorForm, SecurityPage } from "../../views/auth/second-factor";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { localPath, page, seeOther } from "../platform/render";
import { staffScope } from "../platform/scope";
import { formInput, queryInput, lastText } from "../platform/validation";
import { clearSessionCookie } from "./session";
import {
  confirmTotp,
  disableTotp,
  factorSummary,
  otpauthUri,
  POLICY_ROLES,
  proveSecondFactor,
  provedWithin,
  readPolicy,
  regenerateRecoveryCodes,
  savePolicy,
  startTotpEnrolment,
  type FactorScope,
} from "./second-factor";
import { requireRecentSecondFactor, STEP_UP_MS } from "./step-up";

/** /login/second-factor: sessions waiting for their second factor, and step-ups of complete ones. */
export const secondFactorRoutes = new Hono<AppEnv>();
/** /account/security: any signed-in staff member's own factors (and enrolment when the policy requires it). */
export const securityRoutes = new Hono<AppEnv>();
/** /settings/sign-in: the clinic's second-factor policy. */
export const policyRoutes = new Hono<AppEnv>();

export function factorScope(c: Context<AppEnv>): FactorScope {
  return { ...staffScope(c), env: c.env };
}

const DEFAULT_NEXT = "/patients";
const nextOf = (raw: string | undefined) => localPath(raw) ?? DEFAULT_NEXT;

const text = z.prefault(z.string(), "");
const nextQuery = z.object({ next: z.optional(z.string()), why: z.optional(z.string()), saved: z.optional(z.string()) });
const codeForm = z.object({
  code: z.pipe(text, z.transform((v) => v.trim().slice(0, 40))).check(z.minLength(1, { error: "Enter the code." })),
  next: z.optional(z.string()),
});

// --- /login/second-factor ---------------------------------------------------------------------

async function proveForm(c: Context<AppEnv>, next: string, error?: string, status: 200 | 422 = 200) {
  const staff = staffScope(c).staff;
  const summary = await factorSummary(c.env, staff.id);
  if (!summary.totpConfirmed && summary.passkeys.length === 0) {
    // Nothing to prove with: enrol instead (a step-up of a user without a factor).
    return seeOther(c, `/account/security?next=${encodeURIComponent(next)}&why=step-up`);
  }
  return page(
    c,
    "Second step of sign-in",
    <SecondFactorForm
      csrfToken={c.var.csrfToken}
      next={next}
      error={error}
      stepUp={!staff.pending}
      totp={summary.totpConfirmed}
      recoveryCodes={summary.recoveryCodesLeft > 0}
      passkeys={summary.passkeys.length > 0}
    />,
    status,
  );
}

secondFactorRoutes.get("/", queryInput(nextQuery), (c) => proveForm(c, nextOf(c.req.valid("query").next)));

const proveInput = formInput(codeForm, (c, errors, raw) => proveForm(c, nextOf(lastText(raw.next)), errors.code ?? "Enter the code.", 422));

secondFactorRoutes.post("/", proveInput, async (c) => {
  const { code, next } = c.req.valid("form");
  try {
    await proveSecondFactor(factorScope(c), code);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return proveForm(c, nextOf(next), err.fields.code ?? err.message, 422);
    if (err instanceof AppError && err.code === "unauthenticated") {
      clearSessionCookie(c);
      return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} error={err.message} />, 401);
    }
    throw err;
  }
  return seeOther(c, nextOf(next));
});

// --- /account/security ------------------------------------------------------------------------

const SAVED: Record<string, string> = {
  disabled: "The authenticator app is off.",
  "passkey-removed": "Passkey removed.",
  "passkey-added": "Passkey added.",
};

async function securityPage(c: Context<AppEnv>, o: { next: string; why?: string; errors?: Record<string, string>; saved?: string }, status: 200 | 422 = 200) {
  const scope = factorScope(c);
  const staff = scope.staff;
  const summary = await factorSummary(c.env, staff.id);
  const hasFactor = summary.totpConfirmed || summary.passkeys.length > 0;
  // Adding a factor to an account that has one needs a fresh proof of it first.
  const needsStepUp = hasFactor && !provedWithin(staff, STEP_UP_MS);
  let enrol: { secret: string; qrSvg: string } | null = null;
  if (!summary.totpConfirmed && !needsStepUp) {
    const secret = await startTotpEnrolment(c.env, staff.id, staff.sessionId);
    if (secret) enrol = { secret, qrSvg: renderSVG(otpauthUri(secret, c.var.clinic.name, staff.email), { border: 2 }) };
  }
  const required = staff.pending === "enrol" || (await readPolicy(c.env, c.var.clinic.id)).includes(staff.role);
  return page(
    c,
    "Sign-in security",
    <SecurityPage
      csrfToken={c.var.csrfToken}
      summary={summary}
      enrol={enrol}
      needsStepUp={needsStepUp}
      required={required}
      next={o.next}
      why={o.why}
      errors={o.errors}
      saved={o.saved}
    />,
    status,
  );
}

securityRoutes.get("/", queryInput(nextQuery), (c) => {
  const q = c.req.valid("query");
  return securityPage(c, { next: nextOf(q.next), why: q.why, saved: SAVED[q.saved ?? ""] });
});

/** Adding a factor when one exists needs a recent proof; a first factor needs only the password. */
async function stepUpIfEnrolled(c: Context<AppEnv>, next: () => Promise<void>) {
  if (!c.var.staff?.hasSecondFactor) return next();
  return requireRecentSecondFactor()(c, next);
}

const securityError = (field: string) =>
  formInput(codeForm, (c, errors, raw) => securityPage(c, { next: nextOf(lastText(raw.next)), errors: { [field]: errors.code ?? "Enter the code." } }, 422));

securityRoutes.post("/totp", stepUpIfEnrolled, securityError("code"), async (c) => {
  const { code, next } = c.req.valid("form");
  try {
    const codes = await confirmTotp(factorScope(c), code);
    return page(c, "Recovery codes", <RecoveryCodesPage codes={codes} next={nextOf(next)} />);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return securityPage(c, { next: nextOf(next), errors: { code: err.message } }, 422);
    throw err;
  }
});

securityRoutes.post("/totp/disable", securityError("disable"), async (c) => {
  try {
    await disableTotp(factorScope(c), c.req.valid("form").code);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return securityPage(c, { next: DEFAULT_NEXT, errors: { disable: err.message } }, 422);
    throw err;
  }
  return seeOther(c, "/account/security?saved=disabled");
});

securityRoutes.post("/recovery-codes", securityError("regenerate"), async (c) => {
  try {
    const codes = await regenerateRecoveryCodes(factorScope(c), c.req.valid("form").code);
    return page(c, "Recovery codes", <RecoveryCodesPage codes={codes} next="/account/security" />);
  } catch (err) {
    if (err instanceof AppError && err.code === "validation") return securityPage(c, { next: DEFAULT_NEXT, errors: { regenerate: err.message } }, 422);
    throw err;
  }
});

// --- /settings/sign-in ------------------------------------------------------------------------

policyRoutes.get("/", queryInput(nextQuery), async (c) => {
  const required = await readPolicy(c.env, c.var.clinic.id);
  return page(c, "Sign-in policy", <PolicyPage csrfToken={c.var.csrfToken} roles={POLICY_ROLES} required={required} saved={c.req.valid("query").saved === "1"} />);
});

const policyForm = z.object({
  roles: z.pipe(
    z.optional(z.union([z.string(), z.array(z.string())])),
    z.transform((v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  ),
});

const policyInput = formInput(policyForm, async (c) =>
  page(c, "Sign-in policy", <PolicyPage csrfToken={c.var.csrfToken} roles={POLICY_ROLES} required={await readPolicy(c.env, c.var.clinic.id)} />, 422),
);

// Turning the second factor off for a role weakens every sign-in of the clinic: a fresh proof first.
policyRoutes.post("/", requireRecentSecondFactor(), policyInput, async (c) => {
  const roles = c.req.valid("form").roles;
  const unknown = roles.find((r) => !(POLICY_ROLES as readonly string[]).includes(r));
  if (unknown !== undefined) throw new AppError("validation", "Roles: choose roles from the list.", { roles: "Choose roles from the list." });
  await savePolicy(factorScope(c), roles);
  return seeOther(c, "/settings/sign-in?saved=1");
});
