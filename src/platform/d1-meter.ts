/**
 * Counts D1 round trips per request (a statement's first/all/run/raw, a batch, an exec), so the
 * "bounded number of round trips per page" budget can be measured and reported in Server-Timing.
 */

/**
 * The D1 method that makes a statement. Named once here: the proxy must intercept it to meter the
 * statements it makes, while application code never calls it (queries go through drizzle).
 */
const MAKE_STATEMENT = "prepare" satisfies keyof D1Database;

export interface Meter {
  roundTrips: number;
}

export function meteredD1(db: D1Database, meter: Meter): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, key) {
        if (key === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (key === "first" || key === "all" || key === "run" || key === "raw") {
          return (...args: unknown[]) => {
            meter.roundTrips++;
            return (target[key] as (...a: unknown[]) => unknown)(...args);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === MAKE_STATEMENT) return (query: string) => wrap(target[MAKE_STATEMENT](query));
      if (key === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          meter.roundTrips++;
          return target.batch(stmts.map((s) => real.get(s) ?? s));
        };
      }
      if (key === "exec") {
        return (query: string) => {
          meter.roundTrips++;
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A copy of the Worker's bindings in which every D1 database is metered. */
export function meterEnv<E extends object>(env: E, meter: Meter): E {
  const out: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [k, v] of Object.entries(env)) {
    if (v && typeof v === "object" && typeof (v as D1Database)[MAKE_STATEMENT] === "function" && typeof (v as D1Database).batch === "function") {
      out[k] = meteredD1(v as D1Database, meter);
    }
  }
  return out as E;
}
