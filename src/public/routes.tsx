/** The bare base domain: a small public page with a clinic finder. No patient data lives here. */
import type { Context } from "hono";
import { HomePage } from "../../views/public/home";
import type { AppEnv } from "../platform/env";
import { notFound } from "../platform/errors";
import { page } from "../platform/render";
import { clinicOrigin } from "../platform/tenancy";

export async function servePublicSite(c: Context<AppEnv>): Promise<Response> {
  if (c.req.path !== "/" || (c.req.method !== "GET" && c.req.method !== "HEAD")) throw notFound();
  const q = (c.req.query("q") ?? "").trim().slice(0, 100);
  let clinics: { slug: string; name: string; url: string }[] = [];
  if (q) {
    const res = await c.env.DIRECTORY.prepare(
      "SELECT slug, name FROM clinics WHERE status = 'active' AND (instr(lower(name), lower(?1)) > 0 OR instr(slug, lower(?1)) > 0) ORDER BY name LIMIT 20",
    )
      .bind(q)
      .all<{ slug: string; name: string }>();
    const protocol = new URL(c.req.url).protocol;
    clinics = res.results.map((r) => ({ ...r, url: clinicOrigin(r.slug, c.env.BASE_DOMAIN, protocol) }));
  }
  return page(c, "Clinic Platform", <HomePage q={q} clinics={clinics} />, 200, { public: true });
}
