/** Notes: the editor with autosave, signing, co-signing, addenda and the print view (mounted at /notes). */
import { Hono } from "hono";
import type { AppEnv } from "../platform/env";

export const noteRoutes = new Hono<AppEnv>();
