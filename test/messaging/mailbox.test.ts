import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { linkify, Mailbox } from "../../views/messaging/mailbox";
import { USERS } from "../fixtures";
import { Browser, signedIn } from "../helpers";

describe("the development mailbox", () => {
  it("does not exist outside local development, signed in or not", async () => {
    expect((await Browser.at("north").get("/dev/mailbox")).status).toBe(303);
    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.get("/dev/mailbox")).status).toBe(404);
  });

  it("shows each message as its recipient would read it, with working links and escaped text", () => {
    expect(linkify("Open https://a.example/x?y=1 now")).toEqual(["Open ", { href: "https://a.example/x?y=1" }, " now"]);
    const html = render(
      Mailbox({
        clinicName: "Riverside North",
        messages: [
          {
            id: "m1",
            channel: "email",
            recipient: "rosa@example.org",
            template: "booking.confirmation",
            subject: "Your appointment at Riverside North",
            body: "Hello <script>x</script>,\nChange it: https://riverside-north.localhost:8787/book/manage?m=abc",
            status: "queued",
            createdAt: Date.UTC(2026, 10, 27, 9, 0),
          },
        ],
      }),
    );
    expect(html).toContain("EMAIL to <strong>rosa@example.org</strong>");
    expect(html).toContain('<a href="https://riverside-north.localhost:8787/book/manage?m=abc">');
    expect(html).toContain("&lt;script>x&lt;/script>");
    expect(html).toContain("2026-11-27 09:00:00 UTC");
  });
});
