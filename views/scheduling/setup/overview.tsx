/** The scheduling setup overview: what the clinic has set up, with a link to manage each thing. */
import type { ComponentChildren } from "preact";
import type { AppointmentType, BookingRules, Location, Provider, Resource } from "../../../src/scheduling/setup/repo";
import { centsToDollars } from "../../../src/scheduling/setup/input";
import { DataTable, RowActions } from "../../components/table";
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
        <DataTable
          rows={p.locations}
          rowKey={(l) => l.id}
          empty="No locations yet. Add the first one: everything else is scheduled at a location."
          columns={[
            {
              header: "Location",
              cell: (l) => (
                <>
                  <a href={`${SETUP}/locations/${l.id}`}>{l.name}</a>
                  {l.city && <span class="hint"> {l.city}</span>}
                </>
              ),
            },
            { header: "Timezone", cell: (l) => l.timezone },
            {
              header: "Rooms and equipment",
              cell: (l) => {
                const res = resourcesAt(l.id);
                return res.length === 0
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
                    ));
              },
            },
            { header: "Status", cell: (l) => <StatusTag active={l.active} /> },
          ]}
        />
      </Section>

      <Section id="h-providers" title="Providers" action={{ href: `${SETUP}/providers/new`, label: "Add provider" }}>
        <DataTable
          rows={p.providers}
          rowKey={(v) => v.id}
          empty="No providers yet."
          columns={[
            {
              header: "Provider",
              cell: (v) => (
                <>
                  <Swatch color={v.color} /> <a href={`${SETUP}/providers/${v.id}`}>{v.displayName}</a>
                  {v.credentials && <span class="hint"> {v.credentials}</span>}
                </>
              ),
            },
            { header: "Booking link", cell: (v) => <>/book/{v.slug}</> },
            {
              header: "Hours",
              cell: (v) => <RowActions actions={[{ href: `${SETUP}/providers/${v.id}/availability`, label: "Hours and time off", detail: `of ${v.displayName}` }]} />,
            },
            { header: "Status", cell: (v) => <StatusTag active={v.active} /> },
          ]}
        />
      </Section>

      <Section id="h-types" title="Appointment types" action={{ href: `${SETUP}/types/new`, label: "Add appointment type" }}>
        <DataTable
          rows={p.types}
          rowKey={(t) => t.id}
          empty="No appointment types yet."
          columns={[
            {
              header: "Type",
              cell: (t) => (
                <>
                  <Swatch color={t.color} /> <a href={`${SETUP}/types/${t.id}`}>{t.name}</a>
                </>
              ),
            },
            { header: "Length", class: "nowrap", cell: (t) => `${t.durationMinutes} min` },
            { header: "Price", class: "nowrap", cell: (t) => `$${centsToDollars(t.priceCents)}` },
            {
              header: "How",
              cell: (t) => (
                <>
                  {t.modality === "telehealth" ? "Telehealth" : "In person"}
                  {t.bookableOnline ? ", online booking" : ", staff only"}
                </>
              ),
            },
            { header: "Status", cell: (t) => <StatusTag active={t.active} /> },
          ]}
        />
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
