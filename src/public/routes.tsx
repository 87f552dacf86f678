/** The bare base domain: a small public page with a clinic finder. No patient data lives here. */
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import type { Context } from "hono";
import { HomePage } from "../../views/public/home";
import type { AppEnv } from "../platform/env";
import { notFound } from "../platform/errors";
import { page } from "../platform/render";
import { clinicOrigin, directoryDb } from "../platform/tenancy";
import { clinics as clinicTable } from "../schema/directory";

export async function servePublicSite(c: Context<AppEnv>): Promise<Response> {
  if (c.req.path !== "/" || (c.req.method !== "GET" && c.req.method !== "HEAD")) throw notFound();
  const q = (c.req.query("q") ?? "").trim().slice(0, 100);
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
