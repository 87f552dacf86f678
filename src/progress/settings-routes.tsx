/** The clinic's own scored questionnaires (mounted at /settings/questionnaires). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const questionnaireSettingsRoutes = new Hono<AppEnv>();
