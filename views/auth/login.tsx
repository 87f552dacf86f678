/** Staff sign-in, password reset request and new-password forms. */
import { Alert, CsrfField, Field } from "../components/form";

export function LoginForm(p: { csrfToken: string; clinicName: string; email?: string; error?: string; next?: string }) {
  return (
    <section class="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to {p.clinicName}</h1>
      {p.error && <Alert kind="error">{p.error}</Alert>}
      <form method="post" action="/login">
        <CsrfField token={p.csrfToken} />
        {p.next && <input type="hidden" name="next" value={p.next} />}
        <Field name="email" label="Email" type="email" value={p.email} required autocomplete="username" />
        <Field name="password" label="Password" type="password" required autocomplete="current-password" />
        <div class="actions">
          <button type="submit">Sign in</button>
          <a href="/password/forgot">Forgot your password?</a>
        </div>
      </form>
    </section>
  );
}

export function ForgotForm(p: { csrfToken: string; sent?: boolean; error?: string; email?: string }) {
  return (
    <section class="card narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Reset your password</h1>
      {p.sent ? (
        <Alert kind="ok">If an account with that email works here, a reset link is on its way. It works once, for 30 minutes.</Alert>
      ) : (
        <form method="post" action="/password/forgot">
          <CsrfField token={p.csrfToken} />
          <Field name="email" label="Email" type="email" value={p.email} error={p.error} required autocomplete="username" />
          <button type="submit">Send reset link</button>
        </form>
      )}
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </section>
  );
}

export function ResetForm(p: { csrfToken: string; token: string; error?: string }) {
  return (
    <section class="card narrow" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      <form method="post" action="/password/reset">
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="token" value={p.token} />
        <Field
          name="password"
          label="New password"
          type="password"
          required
          autocomplete="new-password"
          hint="At least 12 characters."
          error={p.error}
        />
        <button type="submit">Save password</button>
      </form>
    </section>
  );
}

/** The switch page: a form the staff member posts to the other clinic (no script, so a button). */
export function HandoffForm(p: { action: string; clinicName: string; token: string; nonce: string }) {
  return (
    <section class="card narrow" aria-labelledby="handoff-title">
      <h1 id="handoff-title">Continue to {p.clinicName}</h1>
      <p>You asked to switch to this clinic. Continue to sign in there with the same account.</p>
      <form method="post" action={p.action}>
        <input type="hidden" name="token" value={p.token} />
        <input type="hidden" name="nonce" value={p.nonce} />
        <div class="actions">
          <button type="submit">Continue to {p.clinicName}</button>
          <a href="/patients">Stay here</a>
        </div>
      </form>
    </section>
  );
}
