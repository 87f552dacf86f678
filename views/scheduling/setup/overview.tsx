/** The scheduling setup overview: what the clinic has set up, with a link to manage each thing. */
import type { ComponentChildren } from "preact";
import type { AppointmentType, BookingRules, Location, Provider, Resource } from "../../../src/scheduling/setup/repo";
import { centsToDollars } from "../../../src/scheduling/setup/input";
import { SavedNotice, SETUP, StatusTag, Swatch } from "./parts";

export interface OverviewProps {
  locations: Location[];
  resources: Resource[];
  providers: Provider[];
  types: AppointmentType[];
  bookingRules: BookingRules;
  upcomingHolidays: number;
  saved?: boolean;
}

function Section(p: { id: string; title: string; action?: { href: string; label: string }; children: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={p.id}>
      <div class="page-head">
        <h2 id={p.id}>{p.title}</h2>
        {p.action && (
          <a class="button secondary" href={p.action.href}>
            {p.action.label}
          </a>
        )}
      </div>
      {p.children}
    </section>
  );
}

export function SetupOverview(p: OverviewProps) {
  const r = p.bookingRules;
  const resourcesAt = (locationId: string) => p.resources.filter((x) => x.locationId === locationId);
  return (
    <>
      <h1>Scheduling setup</h1>
      <SavedNotice saved={p.saved} />
      <nav class="setup-nav" aria-label="Scheduling setup">
        <a href="#h-locations">Locations</a>
        <a href="#h-providers">Providers</a>
        <a href="#h-types">Appointment types</a>
        <a href="#h-rules">Booking rules</a>
        <a href={`${SETUP}/holidays`}>Holidays</a>
        <a href="/settings/messages">Reminders and message templates</a>
        <a href="/settings/workflows">Workflows</a>
      </nav>

      <Section id="h-locations" title="Locations, rooms and equipment" action={{ href: `${SETUP}/locations/new`, label: "Add location" }}>
        {p.locations.length === 0 ? (
          <p class="muted">No locations yet. Add the first one: everything else is scheduled at a location.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Location</th>
                  <th scope="col">Timezone</th>
                  <th scope="col">Rooms and equipment</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {p.locations.map((l) => {
                  const res = resourcesAt(l.id);
                  return (
                    <tr>
                      <td>
                        <a href={`${SETUP}/locations/${l.id}`}>{l.name}</a>
                        {l.city && <span class="hint"> {l.city}</span>}
                      </td>
                      <td>{l.timezone}</td>
                      <td>
                        {res.length === 0
                          ? "—"
                          : res.map((x, i) => (
                              <>
                                {i > 0 && ", "}
                                <span class={x.active ? undefined : "muted"}>
                                  {x.name}
                                  {x.kind === "equipment" ? " (equipment)" : ""}
                                  {x.active ? "" : " (inactive)"}
                                </span>
                              </>
                            ))}
                      </td>
                      <td>
                        <StatusTag active={l.active} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="h-providers" title="Providers" action={{ href: `${SETUP}/providers/new`, label: "Add provider" }}>
        {p.providers.length === 0 ? (
          <p class="muted">No providers yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Booking link</th>
                  <th scope="col">Hours</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {p.providers.map((v) => (
                  <tr>
                    <td>
                      <Swatch color={v.color} /> <a href={`${SETUP}/providers/${v.id}`}>{v.displayName}</a>
                      {v.credentials && <span class="hint"> {v.credentials}</span>}
                    </td>
                    <td>/book/{v.slug}</td>
                    <td>
                      <a href={`${SETUP}/providers/${v.id}/availability`}>
                        Hours and time off<span class="skip"> of {v.displayName}</span>
                      </a>
                    </td>
                    <td>
                      <StatusTag active={v.active} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="h-types" title="Appointment types" action={{ href: `${SETUP}/types/new`, label: "Add appointment type" }}>
        {p.types.length === 0 ? (
          <p class="muted">No appointment types yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Length</th>
                  <th scope="col">Price</th>
                  <th scope="col">How</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {p.types.map((t) => (
                  <tr>
                    <td>
                      <Swatch color={t.color} /> <a href={`${SETUP}/types/${t.id}`}>{t.name}</a>
                    </td>
                    <td class="nowrap">{t.durationMinutes} min</td>
                    <td class="nowrap">${centsToDollars(t.priceCents)}</td>
                    <td>
                      {t.modality === "telehealth" ? "Telehealth" : "In person"}
                      {t.bookableOnline ? ", online booking" : ", staff only"}
                    </td>
                    <td>
                      <StatusTag active={t.active} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="h-rules" title="Booking rules" action={{ href: `${SETUP}/booking-rules`, label: "Edit booking rules" }}>
        <dl class="facts">
          <dt>Minimum notice</dt>
          <dd>{r.minNoticeMinutes} minutes</dd>
          <dt>Booking horizon</dt>
          <dd>{r.maxDaysAhead} days ahead</dd>
          <dt>Cancel or reschedule online until</dt>
          <dd>{r.cancelWindowHours} hours before</dd>
          <dt>Upcoming bookings per patient</dt>
          <dd>at most {r.maxUpcomingPerPatient}</dd>
          <dt>Slot hold</dt>
          <dd>{r.holdMinutes} minutes</dd>
          <dt>Slots start every</dt>
          <dd>{r.slotStepMinutes} minutes</dd>
        </dl>
      </Section>

      <p>
        <a href={`${SETUP}/holidays`}>Clinic holidays</a> <span class="hint">({p.upcomingHolidays} upcoming)</span>
      </p>
    </>
  );
}
