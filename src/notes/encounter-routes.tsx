/** Encounters: opened from an appointment or ad hoc, each holding its notes (mounted at /encounters). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const encounterRoutes = new Hono<AppEnv>();
