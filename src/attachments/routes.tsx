/** Documents and images of a patient, stored in R2 (mounted at /patients/:id/documents). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const attachmentRoutes = new Hono<AppEnv>();
