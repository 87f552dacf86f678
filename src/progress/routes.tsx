/** Progress tracking: scored questionnaires, goals, lab values and trend charts (mounted at /patients/:id/progress). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const progressRoutes = new Hono<AppEnv>();
