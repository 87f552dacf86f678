/** /settings/scheduling: locations, rooms, providers, appointment types, hours and booking rules. */
import { Hono } from "hono";
import type { AppEnv } from "../../platform/env";

export const setupRoutes = new Hono<AppEnv>();
