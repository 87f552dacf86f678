/** What the staff calendar tells its users when a time cannot be had (shared by service and views). */
import type { SlotRefusal } from "../slots";

/** How far ahead staff may book (the online window does not bind them). */
export const STAFF_HORIZON_DAYS = 400;

export const STAFF_REFUSALS: Record<SlotRefusal | "unavailable", string> = {
  past: "That time has already passed. Pick a later time.",
  too_soon: "That time is too soon to book. Pick a later time.",
  too_far: `That time is more than ${STAFF_HORIZON_DAYS} days ahead, further than the calendar books.`,
  outside_hours: "That time is not a bookable start: it is outside the provider's hours at this location, or off the booking grid.",
  taken: "That time is already taken: the provider (or the room or equipment the visit needs) is booked then. Here are the nearest open times.",
  no_room: "No room is free at that time. Here are the nearest open times.",
  resource_busy: "The equipment this visit needs is in use at that time. Here are the nearest open times.",
  unavailable: "The calendar could not be reached just now. Nothing was booked or changed; try again in a moment.",
};

/** Why a visit of a series was skipped, in a few words. */
export const SKIP_REASONS: Record<SlotRefusal | "unavailable", string> = {
  past: "in the past",
  too_soon: "too soon",
  too_far: "too far ahead",
  outside_hours: "outside the provider's hours",
  taken: "taken",
  no_room: "no room free",
  resource_busy: "equipment in use",
  unavailable: "calendar unavailable",
};
