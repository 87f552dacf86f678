/**
 * The patient chart (mounted at /patients/:id/chart): the summary and timeline here, and the
 * sub-apps of the problem list, allergies, medications, immunizations, vitals, history and alerts.
 * Every page needs `chart:read`, every form `chart:write`; each read and write leaves an audit row.
 */
import { Hono } from "hono";
import * as z from "zod/mini";
import { ChartSummaryView } from "../../views/charting/summary";
import { MORE_ID, TimelineItems, TimelinePage } from "../../views/charting/timeline";
import type { AppEnv } from "../platform/env";
import { fragment, wantsFragment } from "../platform/render";
import { can, staffScope } from "../platform/scope";
import { queryInput } from "../platform/validation";
import { historyRoutes } from "./history-routes";
import { chartPage, patientIdOf } from "./http";
import { alertRoutes, allergyRoutes, immunizationRoutes, medicationRoutes } from "./list-routes";
import { problemRoutes } from "./problem-routes";
import { chartSummary } from "./summary";
import { chartTimeline, parseCursor, parseKind } from "./timeline";
import { vitalsRoutes } from "./vitals-routes";

export const chartRoutes = new Hono<AppEnv>();

chartRoutes.get("/", async (c) => {
  const scope = staffScope(c);
  const s = await chartSummary(scope, patientIdOf(c));
  return chartPage(
    c,
    { title: "Chart", header: s.header, active: "summary" },
    <ChartSummaryView
      s={s}
      timezone={c.var.clinic.timezone}
      csrfToken={c.var.csrfToken}
      canWrite={can(scope.staff, "chart:write")}
      canStartVisit={can(scope.staff, "notes:write")}
    />,
  );
});

/** The timeline's address: an optional kind filter and an optional cursor; a bad one is a 400 with its own message. */
const timelineQuery = z.object({
  kind: z.pipe(z.optional(z.string()), z.transform(parseKind)),
  before: z.pipe(z.optional(z.string()), z.transform(parseCursor)),
});

chartRoutes.get("/timeline", queryInput(timelineQuery), async (c) => {
  const scope = staffScope(c);
  const pid = patientIdOf(c);
  const { kind, before } = c.req.valid("query");
  const { header, items, more } = await chartTimeline(scope, pid, kind, before);
  const tz = c.var.clinic.timezone;
  if (wantsFragment(c, MORE_ID)) return fragment(c, <TimelineItems items={items} pid={pid} timezone={tz} more={more} kind={kind} />);
  return chartPage(c, { title: "Timeline", header, active: "timeline" }, <TimelinePage items={items} pid={pid} timezone={tz} more={more} kind={kind} older={before !== null} />);
});

chartRoutes.route("/problems", problemRoutes);
chartRoutes.route("/allergies", allergyRoutes);
chartRoutes.route("/medications", medicationRoutes);
chartRoutes.route("/immunizations", immunizationRoutes);
chartRoutes.route("/alerts", alertRoutes);
chartRoutes.route("/vitals", vitalsRoutes);
chartRoutes.route("/history", historyRoutes);
