/**
 * Display formatting for views: the time module's formatters, re-exported under the names the
 * views have always imported. New code may import from src/platform/time directly.
 */
export { ageOn, formatDate, formatInstant } from "../../src/platform/time";
