import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CLINICS, USERS } from "../fixtures";
import { auditRows, clinicD1, signedIn } from "../helpers";

async function roleOf(userId: string, clinicId: string = CLINICS.north.id) {
  const row = await env.DIRECTORY.prepare("SELECT role FROM memberships WHERE user_id = ? AND clinic_id = ?").bind(userId, clinicId).first<{ role: string }>();
  return row?.role;
}

describe("staff administration", () => {
  it("lists the clinic's staff for an administrator", async () => {
    const admin = await signedIn("north", USERS.admin.email);
    const html = await (await admin.get("/staff")).text();
    expect(html).toContain(USERS.frontDesk.email);
    expect(html).toContain(USERS.biller.email);
    expect(html).not.toContain(USERS.hillOwner.email);
  });

  it("changes a role, audits the privilege change, and the new permissions apply at once", async () => {
    const admin = await signedIn("north", USERS.admin.email);
    const biller = await signedIn("north", USERS.biller.email);
    expect((await biller.get("/patients/new")).status).toBe(403);
    const res = await admin.post(`/staff/${USERS.biller.id}/role`, { role: "front_desk" });
    expect(res.status).toBe(303);
    expect(await roleOf(USERS.biller.id)).toBe("front_desk");
    const rows = await auditRows("north", "event = 'staff.role_change' AND entity_id = ?", USERS.biller.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "update", user_id: USERS.admin.id, detail: `${USERS.biller.email}: biller → front_desk` });
    expect((await biller.get("/patients/new")).status).toBe(200);
  });

  it("keeps the owner role for owners to grant, and nobody changes their own role", async () => {
    const admin = await signedIn("north", USERS.admin.email);
    const res = await admin.post(`/staff/${USERS.frontDesk.id}/role`, { role: "owner" });
    expect(res.status).toBe(403);
    expect(await roleOf(USERS.frontDesk.id)).toBe("front_desk");
    const self = await admin.post(`/staff/${USERS.admin.id}/role`, { role: "owner" });
    expect(self.status).toBe(403);
    const bad = await admin.post(`/staff/${USERS.frontDesk.id}/role`, { role: "superuser" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Role: choose a role from the list.");
  });

  it("answers 404 for a user of another clinic", async () => {
    const admin = await signedIn("north", USERS.admin.email);
    const res = await admin.post(`/staff/${USERS.hillOwner.id}/role`, { role: "biller" });
    expect(res.status).toBe(404);
    expect(await roleOf(USERS.hillOwner.id, CLINICS.hillcrest.id)).toBe("owner");
  });

  it("does not let a provider change roles", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const res = await provider.post(`/staff/${USERS.frontDesk.id}/role`, { role: "admin" });
    expect(res.status).toBe(403);
    expect(await roleOf(USERS.frontDesk.id)).toBe("front_desk");
  });

  it("unlocks a locked account and audits it", async () => {
    await env.DIRECTORY.prepare("UPDATE users SET failed_attempts = 5, locked_until = ? WHERE id = ?").bind(Date.now() + 600_000, USERS.provider.id).run();
    const owner = await signedIn("north", USERS.owner.email);
    expect(await (await owner.get("/staff")).text()).toContain("Unlock");
    const res = await owner.post(`/staff/${USERS.provider.id}/unlock`, {});
    expect(res.status).toBe(303);
    const user = await env.DIRECTORY.prepare("SELECT failed_attempts, locked_until FROM users WHERE id = ?").bind(USERS.provider.id).first();
    expect(user).toEqual({ failed_attempts: 0, locked_until: null });
    expect(await auditRows("north", "event = 'auth.unlock' AND entity_id = ?", USERS.provider.id)).toHaveLength(1);
  });

  it("adds a new staff member who gets a link to set a password", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const invalid = await owner.post("/staff", { name: "", email: "nope", role: "provider" });
    expect(invalid.status).toBe(422);
    const html = await invalid.text();
    expect(html).toContain("Full name is required.");
    expect(html).toContain("Email must be a valid address.");
    const res = await owner.post("/staff", { name: "Nina New", email: "Nina.New@Riverside.test", role: "provider" });
    expect(res.status).toBe(303);
    const user = await env.DIRECTORY.prepare("SELECT id FROM users WHERE email = 'nina.new@riverside.test'").first<{ id: string }>();
    expect(await roleOf(user!.id)).toBe("provider");
    const msg = await clinicD1("north").prepare("SELECT recipient FROM outbox WHERE recipient = 'nina.new@riverside.test'").first();
    expect(msg).not.toBeNull();
    expect(await auditRows("north", "event = 'staff.add' AND entity_id = ?", user!.id)).toHaveLength(1);
    const again = await owner.post("/staff", { name: "Nina New", email: "nina.new@riverside.test", role: "biller" });
    expect(again.status).toBe(409);
  });
});
