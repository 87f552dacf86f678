/**
 * Emergency access routes: taking a grant from the interstitial (POST /patients/:id/emergency-access)
 * and the privacy officer's review list at /audit/emergency, with its review action and the
 * clinic's chart access policy.
 */
import { Hono, type Context } from "hono";
import { eq } from "drizzle-orm";
import * as z from "zod/mini";
import { CareTeamInterstitial } from "../../views/emergency/interstitial";
import { EmergencyReview } from "../../views/emergency/review";
import { patients } from "../patients/tables";
import type { AppEnv } from "../platform/env";
import type { FieldErrors } from "../platform/errors";
import { notFound } from "../platform/errors";
import { page, seeOther } from "../platform/render";
import { can, staffScope } from "../platform/scope";
import { formInput, lastText, queryInput, type FormValues } from "../platform/validation";
import { EMERGENCY_GRANT_MINUTES } from "./care-team";
import { chartPathAfterGrant } from "./gate";
import { emergencyReasonSchema, policySchema, reviewSchema } from "./input";
import { grantEmergencyAccess, listEmergencyAccess, reviewEmergencyAccess, setCareTeamOnly } from "./repo";

/** Mounted at /patients/:id/emergency-access. */
export const emergencyAccessRoutes = new Hono<AppEnv>();

/** The interstitial again with the reason's message (422); nothing is written. */
async function reasonRefused(c: Context<AppEnv>, errors: FieldErrors, raw: FormValues): Promise<Response> {
  const patientId = c.req.param("id") ?? "";
  const [p] = await c.var.db.select({ givenName: patients.givenName, familyName: patients.familyName }).from(patients).where(eq(patients.id, patientId)).limit(1);
  if (!p) throw notFound("This patient");
  return page(
    c,
    "No care relationship",
    <CareTeamInterstitial
      patientId={patientId}
      patientName={`${p.givenName} ${p.familyName}`}
      next={chartPathAfterGrant(patientId, lastText(raw.next))}
      grantMinutes={EMERGENCY_GRANT_MINUTES}
      csrfToken={c.var.csrfToken}
      reason={lastText(raw.reason)}
      errors={errors}
    />,
    422,
  );
}

emergencyAccessRoutes.post("/", formInput(emergencyReasonSchema, reasonRefused), async (c) => {
  const patientId = c.req.param("id")!;
  const form = c.req.valid("form");
  await grantEmergencyAccess(staffScope(c), patientId, form.reason, Date.now());
  return seeOther(c, chartPathAfterGrant(patientId, form.next));
});

/** Mounted at /audit/emergency. */
export const emergencyReviewRoutes = new Hono<AppEnv>();

async function reviewPage(c: Context<AppEnv>, o: { notice?: string; refused?: { id: string; errors: FieldErrors; note: string } } = {}, status: 200 | 422 = 200) {
  const scope = staffScope(c);
  const rows = await listEmergencyAccess(scope);
  return page(
    c,
    "Emergency access",
    <EmergencyReview
      rows={rows}
      timezone={c.var.clinic.timezone}
      now={Date.now()}
      csrfToken={c.var.csrfToken}
      careTeamOnly={c.var.clinic.careTeamOnly}
      canManagePolicy={can(scope.staff, "staff:manage")}
      notice={o.notice}
      refused={o.refused}
    />,
    status,
  );
}

const NOTICES: Record<string, string> = { reviewed: "Marked reviewed.", policy: "Chart access policy saved." };
const listQuery = z.object({ done: z.optional(z.string()) });

emergencyReviewRoutes.get("/", queryInput(listQuery), (c) => reviewPage(c, { notice: NOTICES[c.req.valid("query").done ?? ""] }));

emergencyReviewRoutes.post(
  "/:grant/review",
  formInput(reviewSchema, (c, errors, raw) => reviewPage(c, { refused: { id: c.req.param("grant") ?? "", errors, note: lastText(raw.note) } }, 422)),
  async (c) => {
    await reviewEmergencyAccess(staffScope(c), c.req.param("grant"), c.req.valid("form").note ?? null, Date.now());
    return seeOther(c, "/audit/emergency?done=reviewed");
  },
);

emergencyReviewRoutes.post("/policy", formInput(policySchema), async (c) => {
  await setCareTeamOnly(staffScope(c), c.var.dir, c.req.valid("form").care_team_only === "on");
  return seeOther(c, "/audit/emergency?done=policy");
});
