/** The patient chart: summary, timeline, problem list, allergies, medications, immunizations, vitals, histories and alerts (mounted at /patients/:id/chart). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const chartRoutes = new Hono<AppEnv>();
