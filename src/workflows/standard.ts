/**
 * The standard follow-ups a clinic can add with one button: a thank-you after a completed visit
 * (with a satisfaction question and a link for care instructions), a rebooking link after a
 * no-show, and a recall ("due for a check-up") six months after a visit unless the patient has
 * already booked again. Their ids are fixed, so adding them twice adds nothing; the texts live in
 * the rules themselves, where the clinic can change them.
 */
import type { RuleInput } from "./input";

export const STANDARD_RULES: (RuleInput & { id: string })[] = [
  {
    id: "standard-followup-completed",
    name: "Thank-you after a visit",
    trigger: "appointment.completed",
    conditions: {},
    actions: [
      {
        type: "send",
        delayMinutes: 120,
        channel: "email",
        template: "followup.completed",
        subject: "Thank you for visiting {{clinic}}",
        body:
          "Hello {{first_name}},\n\nthank you for visiting {{clinic}} today. How satisfied were you with your visit? " +
          "Just reply with a number from 1 (not at all) to 5 (very), and tell us anything we could do better.\n\n" +
          "Your care instructions: {{link}}\n\nIf anything is unclear or you feel worse, call us.",
      },
    ],
  },
  {
    id: "standard-followup-no-show",
    name: "Rebooking link after a missed visit",
    trigger: "appointment.no_show",
    conditions: {},
    actions: [
      {
        type: "send",
        delayMinutes: 60,
        channel: "email",
        template: "followup.no_show",
        subject: "We missed you at {{clinic}}",
        body: "Hello {{first_name}},\n\nwe missed you at {{clinic}} today. When you are ready, pick a new time here: {{link}}\n\nIf you cannot book online, just call us.",
      },
    ],
  },
  {
    id: "standard-recall",
    name: "Recall: due for a check-up",
    trigger: "appointment.completed",
    conditions: {},
    actions: [
      {
        type: "send",
        delayMinutes: 182 * 24 * 60,
        channel: "email",
        template: "recall",
        subject: "Time for your check-up at {{clinic}}",
        body: "Hello {{first_name}},\n\nit has been about six months since your last visit to {{clinic}}: you are due for a check-up. Book a time that suits you: {{link}}",
        skipIfUpcoming: true,
      },
    ],
  },
];
