/** A bookable clinic: one location in New York, two rooms, providers open every day 8:00-18:00. Safe to call twice. */
import { CLINICS } from "./fixtures";
import { clinicD1, type ClinicKey } from "./helpers";

export interface ScheduleWorld {
  locationId: string;
  rooms: string[];
  providers: { id: string; slug: string }[];
  typeId: string;
  typeSlug: string;
}

export async function seedSchedule(clinic: ClinicKey = "north", o: { providers?: number; needsRoom?: boolean; minNotice?: number } = {}): Promise<ScheduleWorld> {
  const d1 = clinicD1(clinic);
  const tag = CLINICS[clinic].slug.slice(0, 3);
  const locationId = `loc-${tag}`;
  const rooms = [`room-${tag}-1`, `room-${tag}-2`];
  const providers = Array.from({ length: o.providers ?? 2 }, (_, i) => ({ id: `prov-${tag}-${i + 1}`, slug: `dr-${tag}-${i + 1}` }));
  const typeId = `type-${tag}-checkup`;
  const stmts = [
    d1.prepare("INSERT OR IGNORE INTO locations (id, name, address_line1, city, timezone) VALUES (?, 'Main office', '12 Main St', 'Springfield', 'America/New_York')").bind(locationId),
    ...rooms.map((r, i) => d1.prepare("INSERT OR IGNORE INTO resources (id, location_id, name, kind) VALUES (?, ?, ?, 'room')").bind(r, locationId, `Room ${i + 1}`)),
    d1
      .prepare(
        `INSERT OR IGNORE INTO appointment_types (id, slug, name, duration_minutes, buffer_before_minutes, buffer_after_minutes, price_cents, needs_room, bookable_online)
         VALUES (?, 'checkup', 'Check-up', 30, 5, 5, 12000, ?, 1)`,
      )
      .bind(typeId, o.needsRoom ? 1 : 0),
    d1.prepare("UPDATE booking_rules SET min_notice_minutes = ?, max_days_ahead = 60, cancel_window_hours = 24, max_upcoming_per_patient = 3, hold_minutes = 5, slot_step_minutes = 15 WHERE id = 1").bind(o.minNotice ?? 0),
  ];
  for (const p of providers) {
    stmts.push(d1.prepare("INSERT OR IGNORE INTO providers (id, slug, display_name, credentials) VALUES (?, ?, ?, 'MD')").bind(p.id, p.slug, `Dr. ${p.slug}`));
    stmts.push(d1.prepare("INSERT OR IGNORE INTO provider_locations (provider_id, location_id) VALUES (?, ?)").bind(p.id, locationId));
    stmts.push(d1.prepare("INSERT OR IGNORE INTO provider_appointment_types (provider_id, appointment_type_id) VALUES (?, ?)").bind(p.id, typeId));
    for (let wd = 1; wd <= 7; wd++) {
      stmts.push(
        d1
          .prepare("INSERT OR IGNORE INTO availability_rules (id, provider_id, location_id, weekday, kind, start_time, end_time) VALUES (?, ?, ?, ?, 'work', '08:00', '18:00')")
          .bind(`rule-${p.id}-${wd}`, p.id, locationId, wd),
      );
    }
  }
  await d1.batch(stmts);
  return { locationId, rooms, providers, typeId, typeSlug: "checkup" };
}

/** Tomorrow's date in New York, and the instant of a wall time on it. */
export function tomorrowNY(now = Date.now()): string {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date(now));
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function nyInstant(date: string, time: string): number {
  // New York is UTC-5 or UTC-4: try both and keep the one that reads back as the wall time.
  for (const off of [4, 5]) {
    const t = Date.parse(`${date}T${time}:00Z`) + off * 3600_000;
    const wall = new Intl.DateTimeFormat("en-GB", { timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(t));
    if (wall === time) return t;
  }
  throw new Error(`no instant for ${date} ${time}`);
}
