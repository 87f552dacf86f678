/**
 * The page a reminder's link opens: when, with whom and where (no clinical detail: the link may
 * be forwarded), with Confirm and Cancel. Light enough for a slow phone; works without JavaScript.
 */
import type { ManagedAppointment } from "../../src/booking/changes";
import { Alert, CsrfField } from "../components/form";
import { AppointmentFacts } from "../booking/pages";

export const RESPOND_PATH = "/appointment/respond";

function Action(p: { csrfToken: string; token: string; to: "confirm" | "cancel"; label: string; secondary?: boolean }) {
  return (
    <form method="post" action={`${RESPOND_PATH}/${p.to}`}>
      <CsrfField token={p.csrfToken} />
      <input type="hidden" name="t" value={p.token} />
      <button type="submit" class={p.secondary ? "secondary" : undefined}>
        {p.label}
      </button>
    </form>
  );
}

export function RespondPage(p: {
  csrfToken: string;
  a: ManagedAppointment;
  when: string;
  token: string;
  /** Whether the clinic still takes cancellations online, and if not, why. */
  cancellable: { ok: true } | { ok: false; why: string };
  notice?: string;
  error?: string;
}) {
  const { status } = p.a;
  const open = status === "booked" || status === "confirmed";
  return (
    <div class="booking">
      <h1>{status === "cancelled" ? "Appointment cancelled" : "Your appointment"}</h1>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      {p.error && <Alert kind="error">{p.error}</Alert>}
      <AppointmentFacts a={p.a} when={p.when} showType={false} />
      {status === "booked" && <p>Please confirm that you will come, or cancel if you cannot.</p>}
      {status === "confirmed" && !p.notice && <p>Your appointment is confirmed. See you then.</p>}
      {open ? (
        <>
          <div class="actions">
            {status === "booked" && <Action csrfToken={p.csrfToken} token={p.token} to="confirm" label="Confirm" />}
            {p.cancellable.ok && <Action csrfToken={p.csrfToken} token={p.token} to="cancel" label="Cancel" secondary />}
          </div>
          {!p.cancellable.ok && <p class="muted">{p.cancellable.why}</p>}
        </>
      ) : (
        status !== "cancelled" && <p class="muted">This appointment can no longer be changed online. Call the clinic if you have a question.</p>
      )}
    </div>
  );
}
