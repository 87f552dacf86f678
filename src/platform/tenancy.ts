/**
 * Tenancy: which clinic a request is for, and which database holds that clinic's data.
 * The clinic is resolved once per request from the Host header; every repository function then
 * receives the clinic-scoped database, so a handler cannot reach another clinic's rows.
 */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as clinicSchema from "../schema/clinic";
import * as directorySchema from "../schema/directory";
import type { Clinic, ClinicDb, DirectoryDb, Env } from "./env";
import { AppError } from "./errors";

export function directoryDb(env: Env): DirectoryDb {
  return drizzle(env.DIRECTORY, { schema: directorySchema });
}

/**
 * The one function that turns a clinic into its database. Past a few thousand clinics this
 * becomes a dispatch to a per-clinic Worker (Workers for Platforms); see docs/architecture.md.
 */
export function clinicDatabase(env: Env, clinic: Pick<Clinic, "dbBinding" | "slug">): D1Database {
  const binding = (env as unknown as Record<string, unknown>)[clinic.dbBinding];
  if (!binding || typeof (binding as D1Database).prepare !== "function") {
    throw new AppError("internal", `The database of clinic ${clinic.slug} is not bound to this Worker.`);
  }
  return binding as D1Database;
}

export function clinicDb(env: Env, clinic: Pick<Clinic, "dbBinding" | "slug">): ClinicDb {
  return drizzle(clinicDatabase(env, clinic), { schema: clinicSchema });
}

/** Host without port, lower-cased. */
function hostname(host: string): string {
  return host.trim().toLowerCase().replace(/:\d+$/, "");
}

export type HostTarget = { kind: "base" } | { kind: "clinic"; slug: string } | { kind: "foreign" };

/** Classifies a Host header against the configured base domain. */
export function classifyHost(host: string | undefined, baseDomain: string): HostTarget {
  const h = hostname(host ?? "");
  const base = hostname(baseDomain);
  if (h === base) return { kind: "base" };
  if (h.endsWith(`.${base}`)) {
    const slug = h.slice(0, -(base.length + 1));
    if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(slug)) return { kind: "clinic", slug };
  }
  return { kind: "foreign" };
}

/** The origin at which a clinic is served, e.g. `https://acme.example.com`. */
export function clinicOrigin(slug: string, baseDomain: string, protocol: string): string {
  return `${protocol}//${slug}.${baseDomain}`;
}

/**
 * A clinic's origin for links in messages, built where there is no request to copy it from (the
 * cron scan, the queue): plain http only in local development.
 */
export function publicClinicOrigin(env: Pick<Env, "ENVIRONMENT" | "BASE_DOMAIN">, clinic: Pick<Clinic, "slug">): string {
  return clinicOrigin(clinic.slug, env.BASE_DOMAIN, env.ENVIRONMENT === "development" ? "http:" : "https:");
}

const CACHE_TTL_MS = 30_000;
const cache = new Map<string, { clinic: Clinic; at: number }>();

/** Looks up an active clinic by slug (cached briefly per isolate); null when unknown or suspended. */
export async function findClinic(dir: DirectoryDb, slug: string, now = Date.now()): Promise<Clinic | null> {
  const hit = cache.get(slug);
  if (hit && now - hit.at < CACHE_TTL_MS) return hit.clinic;
  const row = await dir.query.clinics.findFirst({ where: eq(directorySchema.clinics.slug, slug) });
  if (!row || row.status !== "active") {
    cache.delete(slug);
    return null;
  }
  const clinic: Clinic = {
    id: row.id,
    slug: row.slug,
    name: row.name,
    timezone: row.timezone,
    country: row.country,
    status: row.status,
    dbBinding: row.dbBinding,
    organizationId: row.organizationId,
    idleTimeoutMinutes: row.idleTimeoutMinutes,
    sessionMaxHours: row.sessionMaxHours,
    careTeamOnly: row.careTeamOnly,
  };
  cache.set(slug, { clinic, at: now });
  return clinic;
}

/** Forget cached clinics (after provisioning or settings changes in this isolate). */
export function forgetClinic(slug?: string): void {
  if (slug) cache.delete(slug);
  else cache.clear();
}
