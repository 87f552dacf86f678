/**
 * Route access, declared where route groups are mounted (src/mounts.ts) and closed by default.
 * Every group says who may use it: the public (with the reason why that is safe), any signed-in
 * staff member (with a reason), or staff holding any of a list of permissions. The same
 * declaration tells the CSRF check which routes prove themselves by a signature or check their
 * own token, and tells the audit which path parameter names the patient. src/app.ts reads it for
 * sign-in, the permission gate, the body limit, CSRF and refused-access audit rows; a route that
 * no declaration covers is refused.
 */
import type { Context, Hono } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { mergePath } from "hono/utils/url";
import type { AppEnv, Env } from "./env";
import type { Permission } from "./permissions";

/** Who may use a route group. */
export type Access =
  /**
   * No sign-in: something else stands in for a session (a signed token in the link, a provider's
   * signature) or the page holds nothing private. With `when`, public only where it holds (the
   * development mailbox); elsewhere the routes need a signed-in staff member like any other.
   */
  | { public: string; when?: (env: Env) => boolean }
  /** Any signed-in staff member, whatever their role (sign out, clinic switch). */
  | { staff: string }
  /** A signed-in staff member holding any of these; everyone else is refused (403) before the handler. */
  | { anyOf: readonly [Permission, ...Permission[]] };

/** One route group and its access, as mounted by src/mounts.ts. */
export interface MountDeclaration {
  /** Where the group is mounted (Hono pattern, e.g. "/patients/:id/chart"). */
  path: string;
  routes: Hono<AppEnv>;
  access: Access;
  /**
   * The path parameter (of the mount path or of its routes) holding a patient id: a refused
   * access (403) or a refused write (422) on such a route is audited under that patient.
   */
  patientParam?: string;
  /**
   * "signature": server-to-server callbacks authenticated by the provider's signature, checked by
   * the route; no CSRF token or Origin check applies.
   * "clinic-origin": a form that a page of another clinic of this platform posts here (the clinic
   * handoff). This origin's CSRF cookie cannot be in that page, so the Origin must be a clinic
   * origin under the base domain, and the route checks the rest (which clinic, and the nonce bound
   * into its signed token).
   */
  csrf?: "signature" | "clinic-origin";
  /**
   * Routes of the group ("METHOD /path" as written in the group) whose handler streams the body
   * itself: no 1 MB form limit, and the route checks the CSRF token it finds in the stream (the
   * Origin / Sec-Fetch-Site check still applies). See src/attachments/upload.ts.
   */
  streamed?: readonly `${"POST" | "PUT"} /${string}`[];
  /**
   * The group shows a patient's clinical record: when the clinic keeps charts to the care team,
   * staff holding `chart:read` without a care relationship with the patient get the emergency
   * access page instead (src/emergency/gate.tsx). `true` takes the patient from `patientParam`;
   * a group whose routes name a record instead (a note, an encounter) gives a function that finds
   * the record's patient (null: no patient's record, or none by that id).
   */
  careTeam?: true | ((c: Context<AppEnv>, params: Record<string, string>) => Promise<string | null>);
  /**
   * Sessions that have passed the password but are still pending a second factor ("second_factor")
   * or its enrolment ("enrol") may use this group; every other group refuses them (src/app.ts).
   */
  whilePending?: readonly ("second_factor" | "enrol")[];
}

/** Whether a session pending `state` may use the matched route (public routes, or groups declaring it). */
export function allowsPending(found: MatchedAccess | null, state: "second_factor" | "enrol", env: Env): boolean {
  if (!found) return false;
  return isPublic(found, env) || !!found.mount.whilePending?.includes(state);
}

/** The declaration that covers one request, and the path parameters of the matched pattern. */
export interface MatchedAccess {
  mount: MountDeclaration;
  /** The matched route as "METHOD /path" within its group; null when only the group's prefix matched (a 404 inside it). */
  route: string | null;
  params: Record<string, string>;
}

/** A route of the app: a method handler (middleware registered with `use` is not a route). */
export interface DeclaredRoute {
  method: string;
  /** The full pattern, as Hono lists it in `app.routes`. */
  path: string;
  mount: MountDeclaration;
}

/** Whether a routes entry is a route rather than middleware added with `use` (method "ALL"). */
export function isRoute(r: { method: string }): boolean {
  return r.method !== "ALL";
}

type Entry = { mount: MountDeclaration; route: string | null };

/**
 * The lookup from a request to its declaration. Routes are matched with Hono's own router and in
 * mount order, so the declaration found is the one of the route that will answer. A path that
 * matches no route but lies under a group's prefix belongs to that group (its 404 is answered
 * the same way as the group's pages); anything else has no declaration.
 */
export class AccessMap {
  readonly routes: readonly DeclaredRoute[];
  private readonly router = new TrieRouter<Entry>();
  private readonly cache = new WeakMap<Request, MatchedAccess | null>();

  constructor(mounts: readonly MountDeclaration[]) {
    const routes: DeclaredRoute[] = [];
    for (const mount of mounts) {
      for (const r of mount.routes.routes) {
        if (!isRoute(r)) continue;
        const path = mergePath(mount.path, r.path);
        routes.push({ method: r.method, path, mount });
        this.router.add(r.method, path, { mount, route: `${r.method} ${r.path}` });
      }
    }
    // Prefixes last, so a route of any group wins over another group's prefix ("/x/*" matches "/x" too).
    for (const mount of mounts) {
      if (mount.path !== "/") this.router.add("ALL", mergePath(mount.path, "/*"), { mount, route: null });
    }
    this.routes = routes;
  }

  /** The declaration covering a method and path, or null. */
  find(method: string, path: string): MatchedAccess | null {
    // Hono answers HEAD with the GET route.
    const [matches] = this.router.match(method === "HEAD" ? "GET" : method, path) as [[Entry, Record<string, string>][]];
    const first = matches[0];
    return first ? { mount: first[0].mount, route: first[0].route, params: first[1] } : null;
  }

  /** The declaration covering this request (looked up once per request). */
  of(c: Context<AppEnv>): MatchedAccess | null {
    const raw = c.req.raw;
    let found = this.cache.get(raw);
    if (found === undefined) {
      found = this.find(c.req.method, c.req.path);
      this.cache.set(raw, found);
    }
    return found;
  }
}

/** Whether the request needs no sign-in under its declaration. */
export function isPublic(found: MatchedAccess | null, env: Env): boolean {
  const access = found?.mount.access;
  return !!access && "public" in access && (!access.when || access.when(env));
}

/** Whether the matched route streams its own body (see MountDeclaration.streamed). */
export function isStreamed(found: MatchedAccess | null): boolean {
  return !!found?.route && !!found.mount.streamed?.some((r) => r === found.route);
}

/** The patient id a matched route is about, if its declaration names one (cut to 64 characters). */
export function patientOf(found: MatchedAccess | null): string | null {
  const name = found?.mount.patientParam;
  const value = name ? found.params[name] : undefined;
  return value ? value.slice(0, 64) : null;
}
