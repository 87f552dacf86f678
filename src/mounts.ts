/** Domain route mounts, in one list. */
import type { Hono } from "hono";
import type { AppEnv } from "./platform/env";
import { authRoutes } from "./auth/routes";
import { patientRoutes } from "./patients/routes";
import { auditRoutes } from "./audit/routes";
import { staffRoutes } from "./admin/routes";
import { setupRoutes } from "./scheduling/setup/routes";
import { bookingRoutes } from "./booking/routes";
import { calendarRoutes } from "./scheduling/calendar/routes";
import { offerRoutes, waitlistRoutes } from "./scheduling/waitlist-routes";
import { devMailboxRoutes } from "./messaging/routes";
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
import { inboundSmsRoutes, respondRoutes, shortLinkRoutes } from "./messaging/inbound-routes";

export function mountDomains(app: Hono<AppEnv>): void {
  app.route("/", authRoutes);
  app.route("/patients/:id/contact", contactPrefsRoutes);
  app.route("/patients/:id/chart", chartRoutes);
  app.route("/patients/:id/progress", progressRoutes);
  app.route("/patients/:id/documents", attachmentRoutes);
  app.route("/encounters", encounterRoutes);
  app.route("/notes", noteRoutes);
  app.route("/settings/templates", templateRoutes);
  app.route("/settings/questionnaires", questionnaireSettingsRoutes);
  app.route("/patients", patientRoutes);
  app.route("/audit", auditRoutes);
  app.route("/staff", staffRoutes);
  app.route("/settings/scheduling", setupRoutes);
  app.route("/settings/messages", messageSettingsRoutes);
  // /book/offer before /book: otherwise /book/:provider/:type would take it.
  app.route("/book/offer", offerRoutes);
  app.route("/book", bookingRoutes);
  app.route("/waitlist", waitlistRoutes);
  app.route("/dev/mailbox", devMailboxRoutes);
  app.route("/messages", outboxRoutes);
  app.route("/webhooks", webhookRoutes);
  app.route("/webhooks/sms", inboundSmsRoutes);
  app.route("/appointment/respond", respondRoutes);
  app.route("/r", shortLinkRoutes);
  app.route("/calendar", calendarRoutes);
  app.route("/settings/workflows", workflowRoutes);
  app.route("/tasks", taskRoutes);
}
