/**
 * The care-team gate: one middleware, applied by src/app.ts to every route group declared
 * `careTeam` in src/mounts.ts, so no chart handler can forget it. It finds the patient from the
 * route's declared `patientParam` (or the group's resolver, ./records.ts) and applies the rule of
 * ./care-team.ts; without a care relationship or
 * an unexpired emergency grant it answers the interstitial (403) instead of the page, after an
 * `access.denied` audit row. Under a grant the request goes on, marked, so every audit row it
 * writes says "emergency access".
 */
import type { Context, MiddlewareHandler } from "hono";
import { CareTeamInterstitial } from "../../views/emergency/interstitial";
import { audit } from "../audit/service";
import { patientOf, type MatchedAccess } from "../platform/access";
import type { AppEnv } from "../platform/env";
import { fragment, localPath, page } from "../platform/render";
import { clinicScope } from "../platform/scope";
import { chartAccessFor, EMERGENCY_GRANT_MINUTES } from "./care-team";

/** Where the grant form sends the staff member back to: the page they asked for on this site, or the chart. */
export function chartPathAfterGrant(patientId: string, raw: string | undefined | null): string {
  const path = localPath(raw);
  return path && !path.startsWith(`/patients/${patientId}/emergency-access`) ? path : `/patients/${patientId}/chart`;
}

export function careTeamGate(accessOf: (c: Context<AppEnv>) => MatchedAccess | null): MiddlewareHandler<AppEnv> {
  return async function careTeam(c, next) {
    const found = accessOf(c);
    const staff = c.var.staff;
    // A path no route of the group matches goes on to its 404.
    if (!c.var.clinic.careTeamOnly || !found?.mount.careTeam || !found.route || !staff?.permissions.has("chart:read")) return next();
    const declared = found.mount.careTeam;
    const patientId = declared === true ? patientOf(found) : await declared(c, found.params);
    if (!patientId) return next();
    const access = await chartAccessFor(c.var.db, staff, patientId, Date.now());
    if (access.kind === "emergency") {
      c.set("emergencyGrantId", access.grantId);
      return next();
    }
    if (access.kind !== "restricted") return next();
    await audit(clinicScope(c), {
      action: "read",
      event: "access.denied",
      entityType: "route",
      entityId: `${c.req.method} ${c.req.path}`.slice(0, 200),
      patientId,
      outcome: "denied",
      detail: "no care relationship",
    });
    const url = new URL(c.req.url);
    const view = (
      <CareTeamInterstitial
        patientId={patientId}
        patientName={access.patientName}
        next={chartPathAfterGrant(patientId, c.req.method === "GET" ? url.pathname + url.search : null)}
        grantMinutes={EMERGENCY_GRANT_MINUTES}
        csrfToken={c.var.csrfToken ?? ""}
      />
    );
    if (c.req.header("HX-Request") === "true") return fragment(c, view, 403);
    return page(c, "No care relationship", view, 403);
  };
}
