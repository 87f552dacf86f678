// Stored sign-in credentials (ONC 170.315(d)(12)): a password is kept only as a salted
// PBKDF2-SHA256 hash with its parameters, never as the password or an unsalted digest.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, sha256Hex, verifyPassword } from "../../src/platform/crypto";
import { PASSWORD, USERS } from "../fixtures";
import { signedIn } from "../helpers";

describe("stored passwords", () => {
  it("are salted PBKDF2-SHA256 hashes at 100,000 iterations that sign-in verifies, never the password itself", async () => {
    const row = await env.DIRECTORY.prepare("SELECT password_hash FROM users WHERE id = ?").bind(USERS.provider.id).first<{ password_hash: string }>();
    const stored = row!.password_hash;
    expect(stored).toMatch(new RegExp(`^pbkdf2-sha256\\$${PBKDF2_ITERATIONS}\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}$`));
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(await sha256Hex(PASSWORD));
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    // Sign-in checks against the hash.
    await signedIn("north", USERS.provider.email);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}x`, stored)).toBe(false);
    // The same password hashes differently each time (a fresh salt).
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
  });
});
