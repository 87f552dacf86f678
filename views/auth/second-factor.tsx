/** Second-factor pages: proving it at sign-in or step-up, the account's security page, recovery codes, the clinic's policy. */
import { ASSET_PATHS } from "../../src/generated/assets";
import { Alert, CsrfField, Field, PostButton } from "../components/form";
import { ROLE_LABELS } from "../admin/staff";

/** The code form after the password (or before a sensitive action), with a passkey button when JavaScript is on. */
export function SecondFactorForm(p: { csrfToken: string; next: string; error?: string; stepUp?: boolean; passkeys: boolean; totp: boolean; recoveryCodes: boolean }) {
  return (
    <section class="card narrow" aria-labelledby="second-factor-title">
      <h1 id="second-factor-title">{p.stepUp ? "Confirm it is you" : "Second step of sign-in"}</h1>
      {p.stepUp && <p>This action needs your second factor again (it was not used in the last 10 minutes).</p>}
      {p.passkeys && (
        <div class="passkey" data-passkey-login data-next={p.next} hidden>
          <button type="button" id="passkey-login">Use a passkey</button>
          <p class="error" id="passkey-error" role="alert" hidden></p>
        </div>
      )}
      {(p.totp || p.recoveryCodes) && (
        <form method="post" action="/login/second-factor">
          <CsrfField token={p.csrfToken} />
          <input type="hidden" name="next" value={p.next} />
          <Field
            name="code"
            label={p.totp ? "Code from your authenticator app, or a recovery code" : "Recovery code"}
            error={p.error}
            required
            autocomplete="one-time-code"
            inputmode={p.totp ? "numeric" : "text"}
            maxLength={20}
            hint={p.totp ? "6 digits; a recovery code looks like abcde-fghjk and works once." : "A recovery code looks like abcde-fghjk and works once."}
          />
          <button type="submit">Verify</button>
        </form>
      )}
      {p.passkeys && !p.totp && (
        <noscript>
          <p>Your passkey needs JavaScript. Turn it on, or ask an administrator to reset your second factor.</p>
        </noscript>
      )}
      <form method="post" action="/logout">
        <CsrfField token={p.csrfToken} />
        <button type="submit" class="link">
          Cancel and sign out
        </button>
      </form>
      {p.passkeys && <script src={ASSET_PATHS.passkey} defer></script>}
    </section>
  );
}

export interface SecuritySummary {
  totpConfirmed: boolean;
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt: number | null }[];
  recoveryCodesLeft: number;
}

/** /account/security: enrol the authenticator app, manage recovery codes and passkeys. */
export function SecurityPage(p: {
  csrfToken: string;
  summary: SecuritySummary;
  /** An enrolment waiting for its first code: the secret, and its QR code as SVG markup (made on the server). */
  enrol: { secret: string; qrSvg: string } | null;
  /** True when adding a factor needs a fresh proof of the existing one first. */
  needsStepUp: boolean;
  required: boolean;
  next: string;
  why?: string;
  errors?: Record<string, string>;
  saved?: string;
}) {
  const e = p.errors ?? {};
  const s = p.summary;
  const has = s.totpConfirmed || s.passkeys.length > 0;
  return (
    <>
      <h1>Sign-in security</h1>
      {p.saved && <Alert kind="ok">{p.saved}</Alert>}
      {p.why === "step-up" && !has && <Alert kind="warn">That action needs a second factor. Set one up here first; you will be taken back afterwards.</Alert>}
      {p.required && !has && <Alert kind="warn">Your role at this clinic must use a second factor. Set up an authenticator app to continue.</Alert>}
      <section class="card" aria-labelledby="totp-title">
        <h2 id="totp-title">Authenticator app</h2>
        {s.totpConfirmed ? (
          <>
            <p>On. {s.recoveryCodesLeft} unused recovery codes left.</p>
            <form method="post" action="/account/security/recovery-codes" novalidate>
              <CsrfField token={p.csrfToken} />
              <Field name="code" label="Current code (to make new recovery codes)" error={e.regenerate} autocomplete="one-time-code" inputmode="numeric" maxLength={20} />
              <button type="submit" class="secondary">Make new recovery codes</button>
            </form>
            <form method="post" action="/account/security/totp/disable" novalidate>
              <CsrfField token={p.csrfToken} />
              <Field name="code" label="Current code (to turn the app off)" error={e.disable} autocomplete="one-time-code" inputmode="numeric" maxLength={20} />
              <button type="submit" class="secondary danger">Turn off</button>
            </form>
          </>
        ) : p.needsStepUp ? (
          <p>
            To add an authenticator app, first <a href={`/login/second-factor?next=${encodeURIComponent("/account/security")}`}>confirm it is you</a>.
          </p>
        ) : p.enrol ? (
          <>
            <ol>
              <li>Scan this code with an authenticator app (or type the key below).</li>
              <li>Enter the 6-digit code the app shows.</li>
            </ol>
            <div class="qr" role="img" aria-label="QR code of the authenticator app key" dangerouslySetInnerHTML={{ __html: p.enrol.qrSvg }} />
            <p>
              Key for manual entry: <code id="totp-secret">{p.enrol.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
            </p>
            <form method="post" action="/account/security/totp" novalidate>
              <CsrfField token={p.csrfToken} />
              <input type="hidden" name="next" value={p.next} />
              <Field name="code" label="Code from the app" error={e.code} required autocomplete="one-time-code" inputmode="numeric" maxLength={10} />
              <button type="submit">Turn on</button>
            </form>
          </>
        ) : null}
      </section>
      <section class="card" aria-labelledby="passkeys-title">
        <h2 id="passkeys-title">Passkeys</h2>
        {s.passkeys.length === 0 ? (
          <p>No passkeys.</p>
        ) : (
          <ul>
            {s.passkeys.map((k) => (
              <li>
                {k.name}{" "}
                <PostButton action={`/account/security/passkeys/${encodeURIComponent(k.id)}/delete`} csrfToken={p.csrfToken} label="Remove" detail={k.name} look="link-danger" />
              </li>
            ))}
          </ul>
        )}
        {!p.needsStepUp && (
          <div data-passkey-register hidden>
            <label for="passkey-name">Name of this passkey</label>
            <input id="passkey-name" maxLength={60} value="Passkey" />
            <button type="button" id="passkey-register" class="secondary">
              Add a passkey
            </button>
            <p class="error" id="passkey-error" role="alert" hidden></p>
          </div>
        )}
        <noscript>
          <p class="hint">Passkeys need JavaScript; the authenticator app works without it.</p>
        </noscript>
      </section>
      <script src={ASSET_PATHS.passkey} defer></script>
    </>
  );
}

/** The recovery codes, shown once right after they are made. */
export function RecoveryCodesPage(p: { codes: string[]; next: string }) {
  return (
    <section class="card narrow" aria-labelledby="codes-title">
      <h1 id="codes-title">Your recovery codes</h1>
      <Alert kind="warn">Save these now: they are shown only once. Each works one time, if you lose your phone.</Alert>
      <ul class="recovery-codes" id="recovery-codes">
        {p.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href={p.next}>I saved them, continue</a>
      </p>
    </section>
  );
}

/** /settings/sign-in: which roles of this clinic must use a second factor. */
export function PolicyPage(p: { csrfToken: string; roles: readonly string[]; required: readonly string[]; saved?: boolean }) {
  return (
    <>
      <h1>Sign-in policy</h1>
      {p.saved && <Alert kind="ok">Policy saved.</Alert>}
      <form method="post" action="/settings/sign-in">
        <CsrfField token={p.csrfToken} />
        <fieldset>
          <legend>Roles that must use a second factor</legend>
          {p.roles.map((r) => (
            <div>
              <input type="checkbox" id={`role-${r}`} name="roles" value={r} checked={p.required.includes(r)} />{" "}
              <label for={`role-${r}`}>{ROLE_LABELS[r] ?? r}</label>
            </div>
          ))}
        </fieldset>
        <p class="hint">Others may still set one up. Staff in a required role without one are asked to set it up right after their password.</p>
        <button type="submit">Save policy</button>
      </form>
    </>
  );
}
