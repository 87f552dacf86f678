/** /staff: the clinic's staff and privilege changes. */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { StaffPage } from "../../views/admin/staff";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, staffScope } from "../platform/scope";
import { formOf, validate } from "../platform/validation";
import { addStaff, changeRole, CLINIC_ROLES, listStaff, unlockAccount, type AdminScope } from "./service";

export const staffRoutes = new Hono<AppEnv>();

function adminScope(c: Context<AppEnv>): AdminScope {
  return { ...staffScope(c), env: c.env };
}

const roleSchema = z.enum(CLINIC_ROLES, { error: "Choose a role from the list." });
const addSchema = z.object({
  name: z.string().check(
    z.trim(),
    z.minLength(1, { error: "Full name is required." }),
    z.maxLength(100, { error: "Full name must be at most 100 characters." }),
  ),
  email: z.email({ error: "Email must be a valid address." }).check(z.maxLength(254, { error: "Email must be at most 254 characters." })),
  role: roleSchema,
});

const SAVED: Record<string, string> = { role: "Role saved.", unlocked: "Account unlocked.", added: "Staff member added." };

async function render(c: Context<AppEnv>, scope: AdminScope, status: 200 | 403 | 409 | 422 = 200, extra: { error?: string; errors?: FieldErrors; values?: Record<string, string> } = {}) {
  const members = await listStaff(scope);
  return page(
    c,
    "Staff",
    <StaffPage
      csrfToken={c.var.csrfToken}
      members={members}
      selfId={scope.staff.id}
      canManage={can(scope.staff, "staff:manage")}
      now={Date.now()}
      saved={SAVED[c.req.query("saved") ?? ""]}
      {...extra}
    />,
    status,
  );
}

staffRoutes.get("/", (c) => render(c, adminScope(c)));

staffRoutes.post("/", async (c) => {
  const scope = adminScope(c);
  const form = await formOf(c);
  const parsed = validate(addSchema, { name: form.name ?? "", email: (form.email ?? "").trim(), role: form.role ?? "" });
  if (!parsed.ok) return render(c, scope, 422, { errors: parsed.errors, values: form });
  try {
    await addStaff(scope, parsed.data.email, parsed.data.name, parsed.data.role, new URL(c.req.url).origin);
  } catch (err) {
    if (err instanceof AppError && (err.code === "conflict" || err.code === "forbidden")) {
      return render(c, scope, err.status as 403 | 409, { error: err.message, values: form });
    }
    throw err;
  }
  return seeOther(c, "/staff?saved=added");
});

staffRoutes.post("/:userId/role", async (c) => {
  const scope = adminScope(c);
  const form = await formOf(c);
  const role = roleSchema.safeParse(form.role);
  if (!role.success) return render(c, scope, 422, { error: "Role: choose a role from the list." });
  try {
    await changeRole(scope, c.req.param("userId"), role.data);
  } catch (err) {
    if (err instanceof AppError && err.code === "forbidden") return render(c, scope, 403, { error: err.message });
    throw err;
  }
  return seeOther(c, "/staff?saved=role");
});

staffRoutes.post("/:userId/unlock", async (c) => {
  await unlockAccount(adminScope(c), c.req.param("userId"));
  return seeOther(c, "/staff?saved=unlocked");
});
