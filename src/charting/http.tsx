/** Request helpers shared by the chart's routes: which patient, the clinic's today, the chart page frame. */
import type { Context } from "hono";
import type { ComponentChildren } from "preact";
import { ChartFrame, type ChartTab } from "../../views/charting/frame";
import type { AppEnv } from "../platform/env";
import { AppError } from "../platform/errors";
import { page } from "../platform/render";
import type { ChartHeaderData } from "./header";
import { clinicToday } from "../platform/scope";

type C = Context<AppEnv>;

/** The patient of a URL under /patients/:id/chart. */
export function patientIdOf(c: C): string {
  return (c.req.param("id") ?? "").slice(0, 64);
}

/** A record id from the URL (`:rid`); ids are short, so anything long cannot be one. */
export function recordIdOf(c: C, name = "rid"): string {
  return (c.req.param(name) ?? "").slice(0, 64);
}

/** A chart page: the patient header, the tabs with `active` marked, and the body. */
export function chartPage(c: C, o: { title: string; header: ChartHeaderData; active: ChartTab; status?: 200 | 404 | 409 | 422 }, body: ComponentChildren): Response {
  return page(
    c,
    `${o.title} · ${o.header.name}`,
    <ChartFrame h={o.header} today={clinicToday(c)} active={o.active}>
      {body}
    </ChartFrame>,
    o.status ?? 200,
  );
}

/** Runs a write; a version conflict comes back as its message instead of an error page. */
export async function conflictOr(write: () => Promise<void>): Promise<string | null> {
  try {
    await write();
    return null;
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") return err.message;
    throw err;
  }
}
