// The staff task inbox: a workflow's task action creates a task that appears in /tasks (mine and
// the shared inbox first, overdue ones marked), can be assigned to a member of this clinic and
// marked done; reading and every change are audited, and permissions and tenancy hold.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { systemScope } from "../../src/platform/scope";
import { emitEvent } from "../../src/workflows/engine";
import { NORTH_CLINIC, USERS } from "../fixtures";
import { auditRows, clinicD1, registerPatient, signedIn, type Browser } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY, type ScheduleWorld } from "../schedule-fixtures";

const NORTH = NORTH_CLINIC;
const pending: Promise<unknown>[] = [];
const scope = () => systemScope(env, NORTH, "test", { waitUntil: (p) => pending.push(p) });

const d1 = () => clinicD1("north");

let w: ScheduleWorld;
let admin: Browser;
let desk: Browser;

beforeAll(async () => {
  w = await seedSchedule("north", { providers: 1 });
  admin = await signedIn("north", USERS.admin.email);
  desk = await signedIn("north", USERS.frontDesk.email);
});

async function completedVisit(patientId: string, at: number): Promise<string> {
  const id = crypto.randomUUID();
  const start = nyInstant(tomorrowNY(), "09:00");
  await d1()
    .prepare(
      `INSERT INTO appointments (id, patient_id, provider_id, location_id, appointment_type_id, starts_at, ends_at, block_start, block_end, status, source, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', 'staff', ?)`,
    )
    .bind(id, patientId, w.providers[0]!.id, w.locationId, w.typeId, start, start + 1_800_000, start, start + 1_800_000, id)
    .run();
  expect(await emitEvent(scope(), env, { trigger: "appointment.completed", key: `appointment.completed:${id}`, patientId, appointmentId: id, at })).toBe(1);
  return id;
}

describe("/tasks", () => {
  it("shows a workflow's task with its patient and due date, and lets the front desk assign and complete it", async () => {
    const created = await admin.post("/settings/workflows", {
      name: "Call after the visit",
      trigger: "appointment.completed",
      a1_type: "task",
      a1_delay: "0",
      a1_unit: "minutes",
      a1_title: "Call to ask how they are",
      a1_due_hours: "2",
    });
    expect(created.status).toBe(303);
    const patient = await registerPatient(desk, { given_name: "Tara", family_name: "Tasked", date_of_birth: "1979-04-04" });
    // The visit was completed five hours ago: its task was due three hours ago.
    const at = Date.now() - 5 * 3_600_000;
    const visit = await completedVisit(patient, at);
    const task = (await d1().prepare("SELECT * FROM tasks WHERE patient_id = ?").bind(patient).first<Record<string, unknown>>())!;
    expect(task).toMatchObject({ title: "Call to ask how they are", appointment_id: visit, assignee_id: null, status: "open", due_at: at + 2 * 3_600_000 });
    expect(await auditRows("north", "event = 'task.create' AND entity_id = ?", task.id)).toHaveLength(1);

    const res = await desk.get("/tasks");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Call to ask how they are");
    expect(html).toContain(`href="/patients/${patient}"`);
    expect(html).toContain("Tasked, Tara");
    expect(html).toContain('<tr class="overdue">');
    expect(html).toContain("Overdue");
    expect(html).toContain('href="/tasks"');
    const reads = await auditRows("north", "event = 'task.list' AND patient_id = ?", patient);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ action: "read", user_id: USERS.frontDesk.id });

    const assigned = await desk.post(`/tasks/${task.id}/assign`, { assignee: USERS.provider.id });
    expect(assigned.status).toBe(303);
    expect(assigned.headers.get("location")).toBe("/tasks?done=assigned");
    expect((await d1().prepare("SELECT assignee_id FROM tasks WHERE id = ?").bind(task.id).first())!).toEqual({ assignee_id: USERS.provider.id });
    const assignAudit = await auditRows("north", "event = 'task.assign' AND entity_id = ?", task.id);
    expect(assignAudit).toHaveLength(1);
    expect(assignAudit[0]).toMatchObject({ action: "update", patient_id: patient, user_id: USERS.frontDesk.id, detail: `assigned to ${USERS.provider.name}` });

    // Only members of this clinic can be assigned.
    const outsider = await desk.post(`/tasks/${task.id}/assign`, { assignee: USERS.hillOwner.id });
    expect(outsider.status).toBe(422);
    expect(await outsider.text()).toContain("Choose someone who works at this clinic.");
    expect((await d1().prepare("SELECT assignee_id FROM tasks WHERE id = ?").bind(task.id).first())!).toEqual({ assignee_id: USERS.provider.id });

    const done = await desk.post(`/tasks/${task.id}/done`, {});
    expect(done.status).toBe(303);
    expect((await d1().prepare("SELECT status, completed_at IS NOT NULL AS completed FROM tasks WHERE id = ?").bind(task.id).first())!).toEqual({ status: "done", completed: 1 });
    expect(await auditRows("north", "event = 'task.complete' AND entity_id = ?", task.id)).toHaveLength(1);
    // A second click changes nothing more.
    expect((await desk.post(`/tasks/${task.id}/done`, {})).status).toBe(303);
    expect(await auditRows("north", "event = 'task.complete' AND entity_id = ?", task.id)).toHaveLength(1);
    expect(await (await desk.get("/tasks")).text()).not.toContain("Call to ask how they are");
  });

  it("lists my tasks first, then the shared inbox, then other people's", async () => {
    const rows: [string, string | null, number][] = [
      ["Assigned to someone else", USERS.provider.id, 1],
      ["Shared, due later", null, 3],
      ["Mine", USERS.frontDesk.id, 5],
      ["Shared, due sooner", null, 2],
    ];
    await d1().batch(
      rows.map(([title, assignee, hours]) =>
        d1().prepare("INSERT INTO tasks (id, title, assignee_id, due_at) VALUES (?, ?, ?, ?)").bind(crypto.randomUUID(), title, assignee, Date.now() + hours * 3_600_000),
      ),
    );
    const html = await (await desk.get("/tasks")).text();
    const order = ["Mine", "Shared, due sooner", "Shared, due later", "Assigned to someone else"].map((t) => html.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("lets a biller read but not change tasks, and keeps another clinic's tasks out of reach", async () => {
    const id = crypto.randomUUID();
    await d1().prepare("INSERT INTO tasks (id, title) VALUES (?, 'Read only for billers')").bind(id).run();
    const biller = await signedIn("north", USERS.biller.email);
    const page = await biller.get("/tasks");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Read only for billers");
    expect(html).not.toContain(`action="/tasks/${id}/done"`);
    expect((await biller.post(`/tasks/${id}/done`, {})).status).toBe(403);
    expect((await biller.post(`/tasks/${id}/assign`, { assignee: USERS.biller.id })).status).toBe(403);

    const hill = await signedIn("hillcrest", USERS.hillOwner.email);
    expect((await hill.post(`/tasks/${id}/done`, {})).status).toBe(404);
    expect((await hill.post(`/tasks/${id}/assign`, { assignee: "" })).status).toBe(404);
    expect(await (await hill.get("/tasks")).text()).not.toContain("Read only for billers");
    expect((await d1().prepare("SELECT status FROM tasks WHERE id = ?").bind(id).first())!).toEqual({ status: "open" });
    await Promise.all(pending.splice(0));
  });
});
