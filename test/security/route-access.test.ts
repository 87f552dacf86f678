// Walks every route of the app (app.routes of createApp(); middleware added with `use` is not a
// route) against the access declarations of src/mounts.ts and src/app.ts: every route must be
// declared public, for any signed-in staff, or gated by permissions; and every gated route must
// refuse (403, from the gate, before its handler) a signed-in staff member whose role holds every
// permission except those the gate asks for.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCESS, createApp } from "../../src/app";
import { isRoute, type MountDeclaration } from "../../src/platform/access";
import { PERMISSIONS, type Permission } from "../../src/platform/permissions";
import { CLINICS, USERS } from "../fixtures";
import { registerPatient, signedIn, type Browser } from "../helpers";

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The route's pattern with every parameter filled with `id` (an existing patient's). */
const fill = (path: string, id: string) => path.replace(/:\w+(\{[^}]*\})?/g, id);

/** A role holding every permission except `without`, and a staff member of north with that role. */
async function staffWithout(without: readonly Permission[], n: number): Promise<Browser> {
  const d = env.DIRECTORY;
  const role = `walk_${n}`;
  const email = `walk-${n}@riverside.test`;
  const hash = await d.prepare("SELECT password_hash FROM users WHERE id = ?").bind(USERS.owner.id).first<string>("password_hash");
  const grants = PERMISSIONS.filter((p) => !without.includes(p));
  await d.batch([
    d.prepare("INSERT INTO roles (name, label, scope, rank) VALUES (?, ?, 'clinic', 1)").bind(role, `Without ${without.join(", ")}`),
    ...grants.map((p) => d.prepare("INSERT INTO role_permissions (role, permission) VALUES (?, ?)").bind(role, p)),
    d.prepare("INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)").bind(`u-walk-${n}`, email, `Walker ${n}`, hash),
    d.prepare("INSERT INTO memberships (user_id, clinic_id, role) VALUES (?, ?, ?)").bind(`u-walk-${n}`, CLINICS.north.id, role),
  ]);
  return signedIn("north", email);
}

describe("route access", () => {
  it("declares every route, and every gated route refuses staff without its permissions with 403", async () => {
    const app = createApp();
    const routes = [...new Map(app.routes.filter(isRoute).map((r) => [key(r), { method: r.method, path: r.path }])).values()];
    const declared = new Map<string, MountDeclaration>(ACCESS.routes.map((r) => [key(r), r.mount]));

    // Every route of the app has a declaration, and every declared route is mounted.
    expect(routes.filter((r) => !declared.has(key(r))).map(key), "routes without a declaration").toEqual([]);
    expect([...declared.keys()].filter((k) => !routes.some((r) => key(r) === k)), "declared but not mounted").toEqual([]);

    const owner = await signedIn("north", USERS.owner.email);
    const pid = await registerPatient(owner, { given_name: "Walk", family_name: "Routes", date_of_birth: "1970-01-01" });

    // A request is answered under the declaration of the route that answers it.
    for (const r of routes) expect(ACCESS.find(r.method, fill(r.path, pid))?.mount, key(r)).toBe(declared.get(key(r)));

    const counts = { public: 0, staff: 0, gated: 0 };
    const gated = new Map<string, { anyOf: readonly Permission[]; routes: { method: string; path: string }[] }>();
    for (const r of routes) {
      const access = declared.get(key(r))!.access;
      if ("public" in access) counts.public++;
      else if ("staff" in access) counts.staff++;
      else {
        counts.gated++;
        const k = access.anyOf.join(" ");
        const group = gated.get(k) ?? { anyOf: access.anyOf, routes: [] };
        group.routes.push(r);
        gated.set(k, group);
      }
    }

    const wrong: string[] = [];
    let n = 0;
    for (const group of gated.values()) {
      const b = await staffWithout(group.anyOf, n++);
      for (const r of group.routes) {
        const path = fill(r.path, pid);
        const res = r.method === "GET" ? await b.get(path) : r.method === "POST" ? await b.post(path, {}) : null;
        if (!res) {
          wrong.push(`${key(r)}: no request for this method in the walk`);
          continue;
        }
        const body = await res.text();
        if (res.status !== 403 || !body.includes("Your role does not allow this")) wrong.push(`${r.method} ${path} (${group.anyOf.join(" | ")}): ${res.status}`);
      }
    }
    expect(wrong, "gated routes that did not refuse with the gate's 403").toEqual([]);
    expect(counts.public).toBeGreaterThan(0);
    expect(counts.gated).toBeGreaterThan(0);
    console.log(`route access: ${routes.length} routes walked, ${counts.public} public, ${counts.staff} staff, ${counts.gated} gated (requested without their permissions)`);
  });

  it("refuses a route that no declaration covers, even to an owner", async () => {
    const app = createApp();
    app.get("/undeclared", (c) => c.text("open"));
    const owner = await signedIn("north", USERS.owner.email);
    const res = await app.request(`${owner.origin}/undeclared`, { headers: { cookie: owner.cookieHeader() } }, env);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("open");
    const anonymous = await app.request(`${owner.origin}/undeclared`, {}, env);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/login?next=%2Fundeclared");
    // A path no route matches is still a plain 404.
    expect((await app.request(`${owner.origin}/nowhere`, { headers: { cookie: owner.cookieHeader() } }, env)).status).toBe(404);
  });
});
