import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { clinicD1, registerPatient, signedIn } from "../helpers";

describe("the booking invitation notice on the patient page", () => {
  it("never renders a link taken from the address", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "Ines", family_name: "Reflect" });
    const res = await desk.get(`/patients/${id}?invited=${encodeURIComponent("https://evil.example/phish")}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("evil.example");
    expect(html).not.toContain("Booking invitation sent");
    // Another patient's message id shows nothing either.
    const other = await registerPatient(desk, { given_name: "Olga", family_name: "Other" });
    const sent = await desk.post(`/patients/${other}/booking-invite`, {});
    const messageId = new URL(sent.headers.get("location")!, desk.origin).searchParams.get("invited")!;
    const wrong = await (await desk.get(`/patients/${id}?invited=${messageId}`)).text();
    expect(wrong).not.toContain("Booking invitation sent");
  });

  it("shows the link and recipient of the message the server queued", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "Nadia", family_name: "Invite", email: "nadia@example.org" });
    const res = await desk.post(`/patients/${id}/booking-invite`, {});
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!, desk.origin);
    expect(location.pathname).toBe(`/patients/${id}`);
    const messageId = location.searchParams.get("invited")!;
    const row = await clinicD1("north").prepare("SELECT recipient, body FROM outbox WHERE id = ?").bind(messageId).first<{ recipient: string; body: string }>();
    expect(row?.recipient).toBe("nadia@example.org");
    const link = row!.body.match(/https:\/\/\S+$/)![0];
    const html = await (await desk.get(`${location.pathname}${location.search}`)).text();
    expect(html).toContain("Booking invitation sent by email to nadia@example.org.");
    expect(html).toContain(link);
  });

  it("shows the link once, without a redirect, when there is no email or phone to send it to", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const id = await registerPatient(desk, { given_name: "Paz", family_name: "Nocontact", email: "", phone: "" });
    const res = await desk.post(`/patients/${id}/booking-invite`, {});
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("nothing was sent");
    expect(html).toMatch(/https:\/\/riverside-north\.example\.test\/book\?invite=[\w.%-]+/);
  });
});
