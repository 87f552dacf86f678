import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { Browser, clinicD1, fetchWorker, signedIn } from "../helpers";

/** Posts `garbage` as a multipart form whose boundary never appears, with a valid CSRF cookie. */
async function postGarbage(b: Browser, path: string, contentType = "multipart/form-data; boundary=QQ"): Promise<Response> {
  if (!b.cookies.has("__Host-csrf")) await b.get("/login");
  return fetchWorker(`${b.origin}${path}`, {
    method: "POST",
    body: "garbage",
    headers: { "content-type": contentType, origin: b.origin, cookie: b.cookieHeader(), "x-csrf-token": b.cookies.get("__Host-csrf") ?? "" },
  });
}

describe("a malformed form body", () => {
  const anonymous: [string, string][] = [
    ["north", "/login"],
    ["north", "/password/forgot"],
    ["south", "/book/confirm"],
  ];
  for (const [clinic, path] of anonymous) {
    it(`is a 400 with a clear message at POST ${path}, with or without the CSRF header`, async () => {
      const b = Browser.at(clinic);
      // Without the header the CSRF check itself has to read the body.
      await b.get("/login");
      const bare = await fetchWorker(`${b.origin}${path}`, {
        method: "POST",
        body: "garbage",
        headers: { "content-type": "multipart/form-data; boundary=QQ", origin: b.origin, cookie: b.cookieHeader() },
      });
      expect(bare.status).toBe(400);
      expect(await bare.text()).toContain("could not be read");
      const withHeader = await postGarbage(b, path);
      expect(withHeader.status).toBe(400);
      expect(await withHeader.text()).toContain("could not be read");
    });
  }

  it("is a 400 on the base host's POST /", async () => {
    const b = new Browser("https://example.test");
    await b.get("/");
    const res = await fetchWorker("https://example.test/", {
      method: "POST",
      body: "garbage",
      headers: { "content-type": "multipart/form-data; boundary=QQ", origin: "https://example.test", cookie: b.cookieHeader() },
    });
    expect(res.status).toBe(400);
  });

  it("is a 400 for signed-in forms (patients, staff), and writes nothing", async () => {
    const owner = await signedIn("north", USERS.owner.email);
    const before = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM patients").first<{ n: number }>();
    for (const path of ["/patients", "/staff"]) {
      const bare = await fetchWorker(`${owner.origin}${path}`, {
        method: "POST",
        body: "garbage",
        headers: { "content-type": "multipart/form-data; boundary=QQ", origin: owner.origin, cookie: owner.cookieHeader() },
      });
      expect(bare.status, path).toBe(400);
      expect(await bare.text()).toContain("could not be read");
      const withHeader = await postGarbage(owner, path);
      expect(withHeader.status, path).toBe(400);
    }
    // A multipart type without any boundary is refused the same way.
    expect((await postGarbage(owner, "/patients", "multipart/form-data")).status).toBe(400);
    const after = await clinicD1("north").prepare("SELECT COUNT(*) AS n FROM patients").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});
