/** Sign-in, sign-out, clinic switch and password reset pages of a clinic. */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { ForgotForm, HandoffForm, LoginForm, ResetForm } from "../../views/auth/login";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { clinicOrigin } from "../platform/tenancy";
import { formOf } from "../platform/validation";
import { clearSessionCookie, setSessionCookie } from "./session";
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
/** Sign out and clinic switch: any signed-in staff member. */
export const sessionRoutes = new Hono<AppEnv>();

function authScope(c: Context<AppEnv>): AuthScope {
  return { ...clinicScope(c), env: c.env };
}

/** Only same-site relative paths are followed after sign-in. */
function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : "/patients";
}

authRoutes.get("/login", (c) => {
  if (c.var.staff) return c.redirect("/patients", 303);
  const next = c.req.query("next");
  if (c.req.query("ended") === "idle") c.set("notice", "You were signed out after a period of inactivity. Sign in again to continue.");
  return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} next={next} />);
});

authRoutes.post("/login", async (c) => {
  const form = await formOf(c);
  const email = String(form.email ?? "").slice(0, 254);
  const password = String(form.password ?? "").slice(0, 1024);
  const next = safeNext(form.next);
  if (!email || !password) {
    return page(
      c,
      "Sign in",
      <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} email={email} error="Enter your email and password." next={next} />,
      422,
    );
  }
  try {
    const session = await signIn(authScope(c), email, password);
    setSessionCookie(c, session);
    return seeOther(c, next);
  } catch (err) {
    if (err instanceof AppError && (err.code === "unauthenticated" || err.code === "locked")) {
      return page(
        c,
        "Sign in",
        <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} email={email} error={err.message} next={next} />,
        err.status as 401 | 423,
      );
    }
    throw err;
  }
});

sessionRoutes.post("/logout", async (c) => {
  const staff = c.var.staff;
  if (staff) await signOut(authScope(c), staff.sessionId);
  clearSessionCookie(c);
  return seeOther(c, "/login");
});

sessionRoutes.post("/switch", async (c) => {
  if (!c.var.staff) throw new AppError("unauthenticated", "Please sign in.");
  const form = await formOf(c);
  const target = String(form.clinic ?? "");
  const token = await startHandoff(authScope(c), target);
  const url = new URL(c.req.url);
  return c.redirect(`${clinicOrigin(target, c.env.BASE_DOMAIN, url.protocol)}/auth/handoff?token=${encodeURIComponent(token)}`, 303);
});

// Redeeming a handoff changes who is signed in, so it takes a POST from this site: the GET only
// shows a button (a link alone cannot sign a browser into someone else's account).
authRoutes.get("/auth/handoff", (c) => {
  const token = c.req.query("token") ?? "";
  return page(c, "Switch clinic", <HandoffForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} token={token} />);
});

authRoutes.post("/auth/handoff", async (c) => {
  const form = await formOf(c);
  try {
    const session = await completeHandoff(authScope(c), String(form.token ?? ""));
    setSessionCookie(c, session);
    return seeOther(c, "/patients");
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "unauthenticated") throw err;
    return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} error={err.message} />, 401);
  }
});

authRoutes.get("/password/forgot", (c) => page(c, "Reset password", <ForgotForm csrfToken={c.var.csrfToken} />));

const EmailSchema = z.object({ email: z.email({ error: "Enter a valid email address." }).check(z.maxLength(254)) });

authRoutes.post("/password/forgot", async (c) => {
  const form = await formOf(c);
  const parsed = EmailSchema.safeParse({ email: String(form.email ?? "").trim() });
  if (!parsed.success) {
    return page(
      c,
      "Reset password",
      <ForgotForm csrfToken={c.var.csrfToken} email={String(form.email ?? "")} error="Enter a valid email address." />,
      422,
    );
  }
  await requestPasswordReset(authScope(c), parsed.data.email, new URL(c.req.url).origin);
  return page(c, "Reset password", <ForgotForm csrfToken={c.var.csrfToken} sent />);
});

authRoutes.get("/password/reset", async (c) => {
  const token = c.req.query("token") ?? "";
  await checkResetToken(authScope(c), token);
  return page(c, "Choose a new password", <ResetForm csrfToken={c.var.csrfToken} token={token} />);
});

authRoutes.post("/password/reset", async (c) => {
  const form = await formOf(c);
  const token = String(form.token ?? "");
  const password = String(form.password ?? "");
  if (password.length < 12 || password.length > 256) {
    return page(
      c,
      "Choose a new password",
      <ResetForm csrfToken={c.var.csrfToken} token={token} error="The password must be 12 to 256 characters long." />,
      422,
    );
  }
  await resetPassword(authScope(c), token, password);
  c.set("notice", "Your password was changed. Sign in with the new one.");
  return page(c, "Sign in", <LoginForm csrfToken={c.var.csrfToken} clinicName={c.var.clinic.name} />);
});
