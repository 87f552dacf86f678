/** /calendar: the staff calendar (day view across providers, week view per provider). */
import { Hono } from "hono";
import type { AppEnv } from "../../platform/env";

export const calendarRoutes = new Hono<AppEnv>();
