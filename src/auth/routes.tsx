/** Sign-in, sign-out, clinic switch and password reset pages of a clinic. */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { ForgotForm, HandoffForm, LoginForm, ResetForm } from "../../views/auth/login";
import type { AppEnv } from "../platform/env";
import { rotateCsrf } from "../platform/csrf";
import { AppError } from "../platform/errors";
import { RateLimitedError } from "../platform/rate-limit";
import { page, seeOther } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { clinicOrigin } from "../platform/tenancy";
import { formInput, queryInput, type FormValues, lastText } from "../platform/validation";
import { clearSessionCookie, setSessionCookie, type NewSession } from "./session";
import {
  checkResetToken,
  completeHandoff,
  requestPasswordReset,
  resetPassword,
  signIn,
  signOut,
  startHandoff,
  type AuthScope,
} from "./service";

/** The pages used before signing in (public). */
export const authRoutes = new Hono<AppEnv>();
/** Clinic switch: any signed-in staff member. */
export const sessionRoutes = new Hono<AppEnv>();
/** Sign out: any session, also one still waiting for its second factor. */
export const signOutRoutes = new Hono<AppEnv>();

/**
 * Where a new session goes first: the second-factor page while it is pending one, the security
 * page when it must enrol, otherwise where it was headed.
 */
function afterPassword(session: NewSession, next: string): string {
  if (session.pending === "second_factor") return `/login/second-factor?next=${encodeURIComponent(next)}`;
  if (session.pending === "enrol") return `/account/security?next=${encodeURIComponent(next)}`;
  return next;
}

function authScope(c: Context<AppEnv>): AuthScope {
  return { ...clinicScope(c), env: c.env };
}

/**
 * Puts a new session in this browser: a session it held here before is revoked on the server (not
 * only forgotten by the browser), and the CSRF token changes with who is signed in.
 */
async function replaceSession(c: Context<AppEnv>, session: NewSession): Promise<void> {
  const previous = c.var.staff;
  if (previous && previous.sessionId !== session.id) await signOut(authScope(c), previous.sessionId, "replaced by a new sign-in");
  setSessionCookie(c, session);
  rotateCsrf(c);
}

/** Only same-site relative paths are followed after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : "/patients";
}

/** A form field as text: blank when left out; a field sent twice keeps its last value. */
const text = z.prefault(z.string(), "");

const loginQuery = z.object({ next: z.optional(z.string()), ended: z.optional(z.string()) });

authRoutes.get("/login", queryInput(loginQuery), (c) => {
  if (c.var.staff) return c.redirect("/patients", 303);
  const { next, ended } = c.req.valid("query");
  if (ended === "idle") c.set("notice", "You were signed out after a period of inactivity. Sign in again to continue.");
  return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} next={next} />);
});

const loginForm = z.object({
  email: z.pipe(text, z.transform((v) => v.slice(0, 254))).check(z.minLength(1)),
  password: z.pipe(text, z.transform((v) => v.slice(0, 1024))).check(z.minLength(1)),
  next: z.pipe(z.optional(z.string()), z.transform((v: string | undefined) => safeNext(v))),
});

const loginInput = formInput(loginForm, (c, _errors, raw) =>
  page(
    c,
    "Sign in",
    <LoginForm
      csrfToken={c.var.csrfToken}
      clinicName={c.var.clinic.name}
      email={lastText(raw.email).slice(0, 254)}
      error="Enter your email and password."
      next={safeNext(lastText(raw.next))}
    />,
    422,
  ),
);

authRoutes.post("/login", loginInput, async (c) => {
  const { email, password, next } = c.req.valid("form");
  try {
    const session = await signIn(authScope(c), email, password);
    await replaceSession(c, session);
    return seeOther(c, afterPassword(session, next));
  } catch (err) {
    if (err instanceof AppError && (err.code === "unauthenticated" || err.code === "locked" || err.code === "too_many_requests")) {
      if (err instanceof RateLimitedError) c.header("Retry-After", String(err.retryAfterSeconds));
      return page(
        c,
        "Sign in",
        <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} email={email} error={err.message} next={next} />,
        err.status as 401 | 423 | 429,
      );
    }
    throw err;
  }
});

signOutRoutes.post("/logout", async (c) => {
  const staff = c.var.staff;
  if (staff) await signOut(authScope(c), staff.sessionId);
  clearSessionCookie(c);
  rotateCsrf(c);
  return seeOther(c, "/login");
});

// The switch answers with a page whose form posts the handoff token and its nonce to the other
// clinic: only this browser's page holds the nonce, so a token copied from the address bar or a
// log signs nobody in (a link or a redirect could be forwarded to someone else).
sessionRoutes.post("/switch", formInput(z.object({ clinic: text })), async (c) => {
  if (!c.var.staff) throw new AppError("unauthenticated", "Please sign in.");
  const handoff = await startHandoff(authScope(c), c.req.valid("form").clinic, c.var.staff.sessionId);
  const action = `${clinicOrigin(handoff.clinic.slug, c.env.BASE_DOMAIN, new URL(c.req.url).protocol)}/auth/handoff`;
  return page(c, "Switch clinic", <HandoffForm action={action} clinicName={handoff.clinic.name} token={handoff.token} nonce={handoff.nonce} />);
});

/**
 * Redeeming a handoff: the form of the switch page above, posted from the other clinic's origin
 * (declared `csrf: "clinic-origin"` in src/mounts.ts; the service checks which clinic and the nonce).
 */
export const handoffRoutes = new Hono<AppEnv>();

const handoffForm = z.object({ token: text, nonce: text });

handoffRoutes.post("/auth/handoff", formInput(handoffForm), async (c) => {
  const url = new URL(c.req.url);
  try {
    const session = await completeHandoff(authScope(c), { ...c.req.valid("form"), origin: c.req.header("origin") ?? "", protocol: url.protocol });
    await replaceSession(c, session);
    return seeOther(c, afterPassword(session, "/patients"));
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "unauthenticated") throw err;
    return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} error={err.message} />, 401);
  }
});

authRoutes.get("/password/forgot", (c) => page(c, "Reset password", <ForgotForm csrfToken={c.var.csrfToken} />));

const forgotForm = z.object({
  email: z.pipe(z.pipe(text, z.transform((v) => v.trim())), z.email({ error: "Enter a valid email address." }).check(z.maxLength(254))),
});

const forgotInput = formInput(forgotForm, (c, _errors, raw) =>
  page(c, "Reset password", <ForgotForm csrfToken={c.var.csrfToken} email={lastText(raw.email)} error="Enter a valid email address." />, 422),
);

authRoutes.post("/password/forgot", forgotInput, async (c) => {
  await requestPasswordReset(authScope(c), c.req.valid("form").email, new URL(c.req.url).origin);
  return page(c, "Reset password", <ForgotForm csrfToken={c.var.csrfToken} sent />);
});

const tokenQuery = z.object({ token: text });

authRoutes.get("/password/reset", queryInput(tokenQuery), async (c) => {
  const { token } = c.req.valid("query");
  await checkResetToken(authScope(c), token);
  return page(c, "Choose a new password", <ResetForm csrfToken={c.var.csrfToken} token={token} />);
});

const resetForm = z.object({ token: text, password: z.pipe(text, z.string().check(z.minLength(12), z.maxLength(256))) });

const resetInput = formInput(resetForm, (c, _errors, raw) =>
  page(
    c,
    "Choose a new password",
    <ResetForm csrfToken={c.var.csrfToken} token={lastText(raw.token)} error="The password must be 12 to 256 characters long." />,
    422,
  ),
);

authRoutes.post("/password/reset", resetInput, async (c) => {
  const { token, password } = c.req.valid("form");
  await resetPassword(authScope(c), token, password);
  c.set("notice", "Your password was changed. Sign in with the new one.");
  return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} />);
});
