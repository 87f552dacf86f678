/**
 * Domain route mounts and their access, in one list. Every group declares who may use it (see
 * src/platform/access.ts): src/app.ts reads these declarations for sign-in, the permission gate
 * (403 before the handler), CSRF exemptions and the patient named in refused-access audit rows.
 * A route no declaration covers is refused. Handlers and services keep their finer checks (a
 * provider's own notes, co-signature, write versus read).
 */
import type { Hono } from "hono";
import type { AppEnv } from "./platform/env";
import type { MountDeclaration } from "./platform/access";
import { authRoutes, handoffRoutes, sessionRoutes, signOutRoutes } from "./auth/routes";
import { policyRoutes, secondFactorRoutes, securityRoutes } from "./auth/second-factor-routes";
import { passkeyLoginRoutes, passkeyRegisterRoutes } from "./auth/passkey-routes";
import { patientRoutes } from "./patients/routes";
import { auditRoutes } from "./audit/routes";
import { staffRoutes } from "./admin/routes";
import { setupRoutes } from "./scheduling/setup/routes";
import { bookingRoutes } from "./booking/routes";
import { calendarRoutes } from "./scheduling/calendar/routes";
import { offerRoutes, waitlistRoutes } from "./scheduling/waitlist-routes";
import { devMailboxRoutes, isDevelopment } from "./messaging/routes";
import { workflowRoutes } from "./workflows/routes";
import { taskRoutes } from "./tasks/routes";
import { outboxRoutes } from "./messaging/outbox-routes";
import { webhookRoutes } from "./messaging/status-routes";
import { messageSettingsRoutes } from "./messaging/settings-routes";
import { contactPrefsRoutes } from "./messaging/preferences-routes";
import { chartRoutes } from "./charting/routes";
import { progressRoutes } from "./progress/routes";
import { questionnaireSettingsRoutes } from "./progress/settings-routes";
import { attachmentRoutes } from "./attachments/routes";
import { encounterRoutes } from "./notes/encounter-routes";
import { noteRoutes } from "./notes/routes";
import { templateRoutes } from "./notes/template-routes";
import { emergencyAccessRoutes, emergencyReviewRoutes } from "./emergency/routes";
import { patientOfEncounter, patientOfNote } from "./emergency/records";
import { inboundSmsRoutes, respondRoutes, shortLinkRoutes } from "./messaging/inbound-routes";

/** The domain route groups, in mount order (earlier groups answer first where paths overlap). */
export const MOUNTS: readonly MountDeclaration[] = [
  { path: "/", routes: authRoutes, access: { public: "sign-in and password reset: no session yet; the reset carries a signed token" } },
  {
    path: "/",
    routes: handoffRoutes,
    access: { public: "clinic handoff: the signed token and the nonce only the switching browser's page holds stand in for a session" },
    csrf: "clinic-origin",
  },
  {
    path: "/",
    routes: signOutRoutes,
    access: { staff: "sign out: any signed-in staff member, whatever their role" },
    whilePending: ["second_factor", "enrol"],
  },
  { path: "/", routes: sessionRoutes, access: { staff: "clinic switch: any signed-in staff member, whatever their role" } },
  {
    path: "/login/second-factor",
    routes: secondFactorRoutes,
    access: { staff: "proving one's own second factor, after the password or before a sensitive action" },
    whilePending: ["second_factor"],
  },
  {
    path: "/login/second-factor/passkey",
    routes: passkeyLoginRoutes,
    access: { staff: "proving one's own second factor with a passkey" },
    whilePending: ["second_factor"],
  },
  {
    path: "/account/security",
    routes: securityRoutes,
    access: { staff: "any staff member manages their own second factor; enrolment is open to a session the policy sends there" },
    whilePending: ["enrol"],
  },
  {
    path: "/account/security/passkeys",
    routes: passkeyRegisterRoutes,
    access: { staff: "any staff member registers or removes their own passkeys" },
    whilePending: ["enrol"],
  },
  { path: "/settings/sign-in", routes: policyRoutes, access: { anyOf: ["staff:manage"] } },
  { path: "/patients/:id/contact", routes: contactPrefsRoutes, access: { anyOf: ["patients:write"] }, patientParam: "id" },
  { path: "/patients/:id/chart", routes: chartRoutes, access: { anyOf: ["chart:read", "chart:write", "problems:write"] }, patientParam: "id", careTeam: true },
  { path: "/patients/:id/progress", routes: progressRoutes, access: { anyOf: ["chart:read", "chart:write"] }, patientParam: "id", careTeam: true },
  { path: "/patients/:id/emergency-access", routes: emergencyAccessRoutes, access: { anyOf: ["chart:read"] }, patientParam: "id" },
  {
    path: "/patients/:id/documents",
    routes: attachmentRoutes,
    access: { anyOf: ["attachments:read", "attachments:read_admin", "attachments:upload", "attachments:delete"] },
    patientParam: "id",
    careTeam: true,
    // The upload streams the file to R2 and checks the form's `_csrf` part itself (src/attachments/upload.ts).
    streamed: ["POST /"],
  },
  {
    path: "/encounters",
    routes: encounterRoutes,
    access: { anyOf: ["chart:read", "encounters:read_billing", "notes:write", "notes:cosign"] },
    careTeam: patientOfEncounter,
  },
  { path: "/notes", routes: noteRoutes, access: { anyOf: ["chart:read", "notes:write", "notes:sign", "notes:cosign"] }, careTeam: patientOfNote },
  { path: "/settings/templates", routes: templateRoutes, access: { anyOf: ["templates:write", "templates:share"] } },
  { path: "/settings/questionnaires", routes: questionnaireSettingsRoutes, access: { anyOf: ["questionnaires:manage"] } },
  { path: "/patients", routes: patientRoutes, access: { anyOf: ["patients:read", "patients:write", "schedule:write"] }, patientParam: "id" },
  { path: "/audit/emergency", routes: emergencyReviewRoutes, access: { anyOf: ["audit:read", "audit:export"] } },
  { path: "/audit", routes: auditRoutes, access: { anyOf: ["audit:read", "audit:export"] } },
  { path: "/staff", routes: staffRoutes, access: { anyOf: ["staff:read", "staff:manage"] } },
  { path: "/settings/scheduling", routes: setupRoutes, access: { anyOf: ["scheduling:setup"] } },
  { path: "/settings/messages", routes: messageSettingsRoutes, access: { anyOf: ["scheduling:setup"] } },
  // /book/offer before /book: otherwise /book/:provider/:type would take it.
  { path: "/book/offer", routes: offerRoutes, access: { public: "a waitlist offer link: its signed token stands in for a session" } },
  { path: "/book", routes: bookingRoutes, access: { public: "online booking needs no account; holds and manage links carry signed tokens" } },
  { path: "/waitlist", routes: waitlistRoutes, access: { anyOf: ["schedule:read", "schedule:write"] } },
  {
    path: "/dev/mailbox",
    routes: devMailboxRoutes,
    access: { public: "stands in for the patient's inbox in local development; elsewhere it needs sign-in and does not exist", when: isDevelopment },
  },
  { path: "/messages", routes: outboxRoutes, access: { anyOf: ["audit:read"] } },
  { path: "/webhooks", routes: webhookRoutes, access: { public: "provider delivery callbacks: the provider's signature, checked by the route" }, csrf: "signature" },
  { path: "/webhooks/sms", routes: inboundSmsRoutes, access: { public: "inbound SMS from the provider: its signature, checked by the route" }, csrf: "signature" },
  { path: "/appointment/respond", routes: respondRoutes, access: { public: "a reminder's confirm/cancel link: its signed token stands in for a session" } },
  { path: "/r", routes: shortLinkRoutes, access: { public: "short links in SMS reminders: the code resolves to a signed reply link" } },
  { path: "/calendar", routes: calendarRoutes, access: { anyOf: ["schedule:read", "schedule:write"] } },
  { path: "/settings/workflows", routes: workflowRoutes, access: { anyOf: ["scheduling:setup"] } },
  { path: "/tasks", routes: taskRoutes, access: { anyOf: ["schedule:read", "schedule:write"] } },
];

export function mountDomains(app: Hono<AppEnv>): void {
  for (const m of MOUNTS) app.route(m.path, m.routes);
}
