/** The bare base domain: a small public page with a clinic finder. No patient data lives here. */
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import type { Context } from "hono";
import * as z from "zod/mini";
import { HomePage } from "../../views/public/home";
import type { AppEnv } from "../platform/env";
import { notFound } from "../platform/errors";
import { page } from "../platform/render";
import { validate } from "../platform/validation";
import { clinicOrigin, directoryDb } from "../platform/tenancy";
import { clinics as clinicTable } from "../schema/directory";

/**
 * The finder's address: `q`, the text to look for in a clinic's name or slug, trimmed and at
 * most 100 characters; blank (no search) when left out. This page is not a mounted route (the app
 * calls it for the bare domain), so it reads the query with `validate` instead of `queryInput`.
 */
const finderQuery = z.object({ q: z.pipe(z.optional(z.string()), z.transform((v) => (v ?? "").trim().slice(0, 100))) });

/** The public page of the bare domain: the clinic finder, with matches when `q` is given. */
export async function servePublicSite(c: Context<AppEnv>): Promise<Response> {
  if (c.req.path !== "/" || (c.req.method !== "GET" && c.req.method !== "HEAD")) throw notFound();
  const parsed = validate(finderQuery, { q: new URL(c.req.url).searchParams.get("q") ?? undefined });
  // The schema refuses nothing (any text is a search), so this branch is only for the types.
  const q = parsed.ok ? parsed.data.q : "";
  let clinics: { slug: string; name: string; url: string }[] = [];
  if (q) {
    const found = await directoryDb(c.env)
      .select({ slug: clinicTable.slug, name: clinicTable.name })
      .from(clinicTable)
      .where(
        and(
          eq(clinicTable.status, "active"),
          or(gt(sql`instr(lower(${clinicTable.name}), lower(${q}))`, 0), gt(sql`instr(${clinicTable.slug}, lower(${q}))`, 0)),
        ),
      )
      .orderBy(asc(clinicTable.name))
      .limit(20);
    const protocol = new URL(c.req.url).protocol;
    clinics = found.map((r) => ({ ...r, url: clinicOrigin(r.slug, c.env.BASE_DOMAIN, protocol) }));
  }
  return page(c, "Clinic Platform", <HomePage q={q} clinics={clinics} />, 200, { public: true });
}
