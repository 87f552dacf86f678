/** Charts for the tests: a fresh patient, and every kind of chart row written straight to the clinic database. */
import { clinicD1, patientForm, registerPatient, type Browser, type ClinicKey } from "../helpers";
import { seedSchedule } from "../schedule-fixtures";

let counter = 0;

/** Registers a patient with a name of its own, so each test reads only its own chart. */
export async function newPatient(b: Browser, over: Record<string, string> = {}): Promise<string> {
  counter++;
  return registerPatient(b, { ...patientForm(), given_name: `Chartee${counter}`, family_name: `Testwood${counter}`, email: "", phone: "", ...over });
}

export interface SeedOptions {
  /** Text put in every row's name, so a test can count what the page shows. */
  tag: string;
  /** Base instant; rows are spaced one minute apart going back from it. */
  now?: number;
}

/** `n` rows of every list the summary and the timeline read, for one patient. */
export async function seedChart(clinic: ClinicKey, patientId: string, n: number, o: SeedOptions): Promise<void> {
  const world = await seedSchedule(clinic);
  const d1 = clinicD1(clinic);
  const now = o.now ?? Date.now();
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < n; i++) {
    const id = (k: string) => `${k}-${o.tag}-${i}-${crypto.randomUUID().slice(0, 8)}`;
    const at = now - (i + 1) * 60_000;
    stmts.push(
      d1.prepare("INSERT INTO problems (id, patient_id, code, description, status) VALUES (?, ?, 'E11.9', ?, 'active')").bind(id("pr"), patientId, `Problem ${o.tag} ${i}`),
      d1.prepare("INSERT INTO allergies (id, patient_id, substance, category, severity, status) VALUES (?, ?, ?, 'medication', 'moderate', 'active')").bind(id("al"), patientId, `Allergen ${o.tag} ${i}`),
      d1
        .prepare("INSERT INTO medications (id, patient_id, name, dose, status, source, created_at) VALUES (?, ?, ?, '10 mg', 'active', ?, ?)")
        .bind(id("me"), patientId, `Medicine ${o.tag} ${i}`, i % 2 ? "prescription" : "manual", at),
      d1.prepare("INSERT INTO chart_alerts (id, patient_id, text, severity) VALUES (?, ?, ?, 'warning')").bind(id("at"), patientId, `Alert ${o.tag} ${i}`),
      d1
        .prepare("INSERT INTO vitals (id, patient_id, taken_at, systolic, diastolic, pulse, weight_kg, height_cm, bmi) VALUES (?, ?, ?, 150, 95, 72, 80, 175, 26.1)")
        .bind(id("vi"), patientId, at),
      d1
        .prepare("INSERT INTO lab_results (id, patient_id, code, name, value_num, unit, flag, observed_at) VALUES (?, ?, '4548-4', ?, 7.1, '%', 'H', ?)")
        .bind(id("lab"), patientId, `Lab ${o.tag} ${i}`, at),
      d1
        .prepare(
          `INSERT INTO attachments (id, patient_id, r2_key, filename, content_type, size_bytes, sha256, category, title, uploaded_at, uploaded_by, uploaded_by_name)
           VALUES (?, ?, ?, 'scan.pdf', 'application/pdf', 1000, 'abc', ?, ?, ?, 'u-prov', 'Dr. Priya Provider')`,
        )
        .bind(id("doc"), patientId, `k/${id("r2")}`, i % 2 ? "administrative" : "clinical", `Document ${o.tag} ${i}`, at),
      d1
        .prepare(
          "INSERT INTO measure_responses (id, patient_id, instrument, instrument_name, answers, score, severity, taken_at) VALUES (?, ?, 'phq9', ?, '[]', 7, 'mild', ?)",
        )
        .bind(id("mr"), patientId, `PHQ-9 ${o.tag} ${i}`, at),
      d1
        .prepare("INSERT INTO immunizations (id, patient_id, cvx_code, vaccine, administered_on) VALUES (?, ?, '115', 'Tdap', '2020-01-01')")
        .bind(id("im"), patientId),
    );
    const enc = id("enc");
    stmts.push(
      d1
        .prepare("INSERT INTO encounters (id, patient_id, provider_staff_id, provider_name, kind, reason, started_at, status) VALUES (?, ?, 'u-prov', 'Dr. Priya Provider', 'ad_hoc', ?, ?, 'closed')")
        .bind(enc, patientId, `Visit ${o.tag} ${i}`, at),
      d1
        .prepare("INSERT INTO notes (id, encounter_id, patient_id, title, definition, author_staff_id, author_name) VALUES (?, ?, ?, ?, '{\"sections\":[]}', 'u-prov', 'Dr. Priya Provider')")
        .bind(id("note"), enc, patientId, `Note ${o.tag} ${i}`),
    );
    const starts = i % 2 ? now + (i + 1) * 3600_000 : at - 86_400_000;
    stmts.push(
      d1
        .prepare(
          `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', 'staff', ?)`,
        )
        .bind(id("ap"), patientId, world.providers[0]!.id, world.locationId, world.typeId, starts, starts + 1_800_000, starts, starts + 1_800_000, id("idem")),
    );
  }
  for (let i = 0; i < stmts.length; i += 400) await d1.batch(stmts.slice(i, i + 400));
}

export async function count(clinic: ClinicKey, table: string, where: string, ...params: unknown[]): Promise<number> {
  const row = await clinicD1(clinic).prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

export async function gzipSize(body: ArrayBuffer | string): Promise<number> {
  const stream = new Response(body).body!.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

export function roundTrips(res: Response): number {
  const m = (res.headers.get("server-timing") ?? "").match(/d1;desc="(\d+) D1 round trips"/);
  if (!m) throw new Error("no Server-Timing d1 entry");
  return Number(m[1]);
}

/** The headers htmx sends when it swaps a response into `target` (e.g. "div#timeline-more"). */
export const HX = (target: string) => ({ "HX-Request": "true", "HX-Target": target });
