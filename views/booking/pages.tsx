/** Public booking pages: pick a visit, a time, give details, done. Light enough for a slow phone. */
import type { ComponentChildren } from "preact";
import type { ManagedAppointment } from "../../src/booking/changes";
import type { FieldErrors } from "../../src/platform/errors";
import type { Slot } from "../../src/scheduling/slots";
import { dayLabel, timeLabel } from "../../src/platform/time";
import { ASSET_PATHS } from "../../src/generated/assets";
import { Alert, CsrfField, Field } from "../components/form";
import { CHALLENGE_FIELD, type ChallengeWidget } from "../../src/booking/challenge";

export const BOOKING_ID = "booking";

/** The booking panel: each step replaces it. `live` (the page's own address) keeps a time list fresh. */
export function Step({ children, live }: { children: ComponentChildren; live?: string }) {
  return (
    <div id={BOOKING_ID} class="booking" data-live={live ? "/book/live" : undefined} data-src={live}>
      {children}
      {live && <script src={ASSET_PATHS.live} defer></script>}
    </div>
  );
}

export function TypeList(p: { types: { slug: string; name: string; durationMinutes: number; priceCents: number; modality: string }[]; base: string; invite?: string }) {
  const q = p.invite ? `?invite=${encodeURIComponent(p.invite)}` : "";
  return (
    <Step>
      <h1>Book a visit</h1>
      {p.types.length === 0 ? (
        <p>No visits can be booked online right now. Please call the clinic.</p>
      ) : (
        <ul class="choices">
          {p.types.map((t) => (
            <li>
              <a href={`${p.base}${p.base.endsWith("/book") ? "?type=" + t.slug : "/" + t.slug}${q ? (p.base.endsWith("/book") ? "&" + q.slice(1) : q) : ""}`}>
                {t.name}
              </a>{" "}
              <span class="hint">
                {t.durationMinutes} min{t.modality === "telehealth" ? " · video" : ""}
                {t.priceCents > 0 ? ` · $${(t.priceCents / 100).toFixed(2)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Step>
  );
}

/**
 * The human check, inside the form it guards: Cloudflare's widget (which fills in its token field
 * itself; it needs JavaScript), or the tests' plain field. Without a check to show, nothing.
 */
export function ChallengeBox({ widget }: { widget?: ChallengeWidget }) {
  if (!widget || widget.kind === "none") return null;
  return (
    <section class="challenge" aria-labelledby="challenge-title">
      <h2 id="challenge-title">Confirm you are a person</h2>
      <p class="hint">Many bookings came from this connection, so we ask for a quick check first. It needs JavaScript; if it does not load, please call the clinic.</p>
      {widget.kind === "turnstile" ? (
        <>
          <div class="cf-turnstile" data-sitekey={widget.siteKey} data-action="booking"></div>
          <script src={widget.script} async defer></script>
        </>
      ) : (
        <Field name={CHALLENGE_FIELD} label="Check answer" value="" />
      )}
    </section>
  );
}

/** Form attributes: htmx swaps the panel, except while a check is shown (its widget wants a full page). */
function hxForm(action: string, challenge?: ChallengeWidget) {
  if (challenge && challenge.kind !== "none") return {};
  return { "hx-post": action, "hx-target": `#${BOOKING_ID}`, "hx-swap": "outerHTML" };
}

export interface SlotListProps {
  csrfToken: string;
  title: string;
  typeSlug: string;
  slots: Slot[];
  providerNames: Record<string, string>;
  nextAvailable: Slot | null;
  fromDate: string;
  toDate: string;
  prevHref: string | null;
  nextHref: string;
  action: string;
  hidden: Record<string, string>;
  message?: string;
  alternatives?: Slot[];
  /** This list's own address, for live refreshes when another patient takes a time. */
  self?: string;
  /** The human check to pass before a time can be held. */
  challenge?: ChallengeWidget;
}

function SlotButton({ s, names, showProvider }: { s: Slot; names: Record<string, string>; showProvider: boolean }) {
  return (
    <button type="submit" name="slot" value={`${s.providerId}|${s.locationId}|${s.startsAt}`} class="slot">
      {timeLabel(s.localTime)}
      {showProvider ? ` · ${names[s.providerId] ?? ""}` : ""}
    </button>
  );
}

/** The time picker: next available first, then a list of days; every time is a submit button. */
export function SlotList(p: SlotListProps) {
  const days = new Map<string, Slot[]>();
  for (const s of p.slots) days.set(s.localDate, [...(days.get(s.localDate) ?? []), s]);
  const providers = new Set(p.slots.map((s) => s.providerId));
  const many = providers.size > 1;
  return (
    <Step live={p.self}>
      <h1>{p.title}</h1>
      {p.message && <Alert kind="error">{p.message}</Alert>}
      <form method="post" action={p.action} {...hxForm(p.action, p.challenge)}>
        <CsrfField token={p.csrfToken} />
        {Object.entries(p.hidden).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <ChallengeBox widget={p.challenge} />
        {p.alternatives && p.alternatives.length > 0 && (
          <section aria-labelledby="alt">
            <h2 id="alt">Nearest open times</h2>
            <p class="times">
              {p.alternatives.map((s) => (
                <>
                  <span class="hint">{dayLabel(s.localDate)}</span> <SlotButton s={s} names={p.providerNames} showProvider={many || p.alternatives!.some((a) => a.providerId !== s.providerId)} />{" "}
                </>
              ))}
            </p>
          </section>
        )}
        {p.nextAvailable && !p.message && (
          <p class="next">
            Next available: <strong>{dayLabel(p.nextAvailable.localDate)}</strong> <SlotButton s={p.nextAvailable} names={p.providerNames} showProvider={many} />
          </p>
        )}
        {days.size === 0 && (
          <p>
            No open times between {dayLabel(p.fromDate)} and {dayLabel(p.toDate)}.
          </p>
        )}
        {[...days].map(([date, slots]) => (
          <section aria-label={dayLabel(date)}>
            <h2>{dayLabel(date)}</h2>
            <p class="times">
              {slots.map((s) => (
                <>
                  <SlotButton s={s} names={p.providerNames} showProvider={many} />{" "}
                </>
              ))}
            </p>
          </section>
        ))}
      </form>
      <nav class="pager" aria-label="Dates">
        {p.prevHref && <a href={p.prevHref}>Earlier dates</a>}
        <a href={p.nextHref}>Later dates</a>
      </nav>
    </Step>
  );
}

export interface DetailsProps {
  csrfToken: string;
  hold: string;
  summary: string;
  heldUntil: string;
  holdMinutes: number;
  values: Record<string, string>;
  errors?: FieldErrors;
  message?: string;
  backHref: string;
  /** The human check to pass before the booking is made. */
  challenge?: ChallengeWidget;
}

export function DetailsForm(p: DetailsProps) {
  const e = p.errors ?? {};
  return (
    <Step>
      <h1>Your details</h1>
      <p class="alert ok" role="status">
        {p.summary}. We are holding this time for you until <strong>{p.heldUntil}</strong> ({p.holdMinutes} minutes).
      </p>
      {p.message && <Alert kind="error">{p.message}</Alert>}
      <form method="post" action="/book/confirm" {...hxForm("/book/confirm", p.challenge)} novalidate>
        <CsrfField token={p.csrfToken} />
        <input type="hidden" name="hold" value={p.hold} />
        <Field name="given_name" label="First name" value={p.values.given_name} error={e.given_name} required autocomplete="given-name" />
        <Field name="family_name" label="Last name" value={p.values.family_name} error={e.family_name} required autocomplete="family-name" />
        <Field name="date_of_birth" label="Date of birth" type="date" value={p.values.date_of_birth} error={e.date_of_birth} required autocomplete="bday" />
        <Field name="phone" label="Mobile phone" type="tel" inputmode="tel" value={p.values.phone} error={e.phone} required autocomplete="tel" />
        <Field name="email" label="Email" type="email" value={p.values.email} error={e.email} autocomplete="email" hint="For your confirmation and calendar file" />
        <ChallengeBox widget={p.challenge} />
        <div class="actions">
          <button type="submit">Book this time</button>
          <a href={p.backHref}>Pick another time</a>
        </div>
      </form>
    </Step>
  );
}

export function Booked(p: { a: ManagedAppointment; when: string; manageHref: string; icsHref: string; headline: string }) {
  return (
    <Step>
      <h1>{p.headline}</h1>
      <AppointmentFacts a={p.a} when={p.when} />
      <div class="actions">
        <a class="button" href={p.icsHref}>
          Add to calendar (.ics)
        </a>
        <a href={p.manageHref}>Change or cancel</a>
      </div>
      <p class="hint">Keep this page's link: it lets you change or cancel your booking.</p>
    </Step>
  );
}

/** When, with whom, what (unless `showType` is false) and where: the facts of one booked visit. */
export function AppointmentFacts({ a, when, showType = true }: { a: ManagedAppointment; when: string; showType?: boolean }) {
  return (
    <dl class="facts card">
      <dt>When</dt>
      <dd>{when}</dd>
      <dt>With</dt>
      <dd>{a.providerName}</dd>
      {showType && (
        <>
          <dt>Visit</dt>
          <dd>{a.typeName}</dd>
        </>
      )}
      <dt>Where</dt>
      <dd>{a.modality === "telehealth" ? "Video visit: we will send you the link" : [a.locationName, a.address].filter(Boolean).join(", ")}</dd>
    </dl>
  );
}

export function Manage(p: {
  csrfToken: string;
  a: ManagedAppointment;
  when: string;
  token: string;
  changeable: { ok: true } | { ok: false; why: string };
  notice?: string;
}) {
  const cancelled = p.a.status === "cancelled";
  return (
    <Step>
      <h1>{cancelled ? "Appointment cancelled" : "Your appointment"}</h1>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      <AppointmentFacts a={p.a} when={p.when} />
      {!cancelled && (
        <>
          <p>
            <a href={`/book/ics?m=${encodeURIComponent(p.token)}`}>Add to calendar (.ics)</a>
          </p>
          {p.changeable.ok ? (
            <div class="actions">
              <a class="button secondary" href={`/book/manage/reschedule?m=${encodeURIComponent(p.token)}`}>
                Pick another time
              </a>
              <form method="post" action="/book/manage/cancel">
                <CsrfField token={p.csrfToken} />
                <input type="hidden" name="m" value={p.token} />
                <button type="submit" class="secondary">
                  Cancel appointment
                </button>
              </form>
            </div>
          ) : (
            <p class="muted">{p.changeable.why}</p>
          )}
        </>
      )}
    </Step>
  );
}
