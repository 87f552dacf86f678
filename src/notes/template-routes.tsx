/** The note template builder and starter library (mounted at /settings/templates). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const templateRoutes = new Hono<AppEnv>();
