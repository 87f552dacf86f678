import type { Env as AppBindings } from "../src/platform/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      DIRECTORY_MIGRATIONS: import("cloudflare:test").D1Migration[];
      CLINIC_MIGRATIONS: import("cloudflare:test").D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "ClinicCalendar" | "RateLimiter";
    }
  }
}
export {};
