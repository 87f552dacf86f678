/** /staff: the clinic's staff and privilege changes. */
import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import { StaffPage } from "../../views/admin/staff";
import type { AppEnv } from "../platform/env";
import { AppError, type FieldErrors } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, staffScope } from "../platform/scope";
import { formInput, oneLine, queryInput, type FormValues } from "../platform/validation";
import { addStaff, changeRole, CLINIC_ROLES, listStaff, unlockAccount, type AdminScope } from "./service";
import { requireRecentSecondFactor } from "../auth/step-up";
import { resetFactors } from "../auth/second-factor";

export const staffRoutes = new Hono<AppEnv>();

function adminScope(c: Context<AppEnv>): AdminScope {
  return { ...staffScope(c), env: c.env };
}

const roleSchema = z.enum(CLINIC_ROLES, { error: "Choose a role from the list." });
// A field left out of the form gets the same message as an empty one.
const addSchema = z.object({
  name: z.string({ error: "Full name is required." }).check(
    z.trim(),
    z.minLength(1, { error: "Full name is required." }),
    z.maxLength(100, { error: "Full name must be at most 100 characters." }),
    oneLine("Full name"),
  ),
  email: z.pipe(
    z.string({ error: "Email must be a valid address." }).check(z.trim()),
    z.email({ error: "Email must be a valid address." }).check(z.maxLength(254, { error: "Email must be at most 254 characters." })),
  ),
  role: roleSchema,
});

/** The submitted values as the form shows them again (a field sent twice keeps its last value). */
function formTexts(raw: FormValues): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) ?? "") : v]));
}

const SAVED: Record<string, string> = {
  role: "Role saved.",
  unlocked: "Account unlocked.",
  added: "Staff member added.",
  "second-factor": "Second factor removed. They set up a new one at their next sign-in; their sessions have ended.",
};

async function render(
  c: Context<AppEnv>,
  scope: AdminScope,
  status: 200 | 403 | 409 | 422 = 200,
  extra: { error?: string; errors?: FieldErrors; values?: Record<string, string>; saved?: string } = {},
) {
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
      {...extra}
    />,
    status,
  );
}

const listQuery = z.object({ saved: z.optional(z.string()) });

staffRoutes.get("/", queryInput(listQuery), (c) => render(c, adminScope(c), 200, { saved: SAVED[c.req.valid("query").saved ?? ""] }));

/** Only staff who may manage staff reach the step-up of a privilege change. */
const mayManage = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  if (!can(c.var.staff, "staff:manage")) throw new AppError("forbidden", "You do not have permission to manage staff.");
  await next();
};

staffRoutes.post(
  "/",
  mayManage,
  requireRecentSecondFactor(),
  formInput(addSchema, (c, errors, raw) => render(c, adminScope(c), 422, { errors, values: formTexts(raw) })),
  async (c) => {
    const scope = adminScope(c);
    const input = c.req.valid("form");
    try {
      await addStaff(scope, input.email, input.name, input.role, new URL(c.req.url).origin);
    } catch (err) {
      if (err instanceof AppError && (err.code === "conflict" || err.code === "forbidden")) {
        return render(c, scope, err.status as 403 | 409, { error: err.message, values: { name: input.name, email: input.email, role: input.role } });
      }
      throw err;
    }
    return seeOther(c, "/staff?saved=added");
  },
);

const roleForm = z.object({ role: roleSchema });

staffRoutes.post(
  "/:userId/role",
  mayManage,
  requireRecentSecondFactor(),
  formInput(roleForm, (c) => render(c, adminScope(c), 422, { error: "Role: choose a role from the list." })),
  async (c) => {
    const scope = adminScope(c);
    try {
      await changeRole(scope, c.req.param("userId"), c.req.valid("form").role);
    } catch (err) {
      if (err instanceof AppError && err.code === "forbidden") return render(c, scope, 403, { error: err.message });
      throw err;
    }
    return seeOther(c, "/staff?saved=role");
  },
);

staffRoutes.post("/:userId/unlock", async (c) => {
  await unlockAccount(adminScope(c), c.req.param("userId"));
  return seeOther(c, "/staff?saved=unlocked");
});

// Lost device: an administrator removes someone's second factors; they enrol again at next sign-in.
staffRoutes.post("/:userId/second-factor/reset", mayManage, requireRecentSecondFactor(), async (c) => {
  const scope = adminScope(c);
  await resetFactors(scope, c.req.param("userId"));
  return seeOther(c, "/staff?saved=second-factor");
});
