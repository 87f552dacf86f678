/**
 * Every token the platform issues is a jose-signed JWT (HS256) bound to one clinic by its
 * audience and to one purpose by its `use` claim. Verification pins the algorithm, so `alg: none`
 * and any other algorithm are refused.
 */
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import { AppError } from "./errors";

export type TokenUse = "session" | "handoff" | "reset" | "hold" | "manage" | "invite" | "offer" | "webauthn";

const ISSUER = "clinic-platform";

function keyFor(secret: string): Uint8Array {
  if (!secret || secret.length < 32) {
    throw new AppError("internal", "SESSION_SECRET is missing or shorter than 32 characters.");
  }
  return new TextEncoder().encode(secret);
}

/** The audience of every token meant for one clinic. */
export function clinicAudience(slug: string): string {
  return `clinic:${slug}`;
}

export interface SignOptions {
  use: TokenUse;
  subject: string;
  clinicSlug: string;
  /** Lifetime in seconds. */
  ttl: number;
  jti?: string;
  claims?: Record<string, string | number>;
  now?: number;
}

export async function signToken(secret: string, o: SignOptions): Promise<string> {
  const iat = Math.floor((o.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ ...o.claims, use: o.use })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject(o.subject)
    .setAudience(clinicAudience(o.clinicSlug))
    .setIssuedAt(iat)
    .setExpirationTime(iat + o.ttl);
  if (o.jti) jwt.setJti(o.jti);
  return jwt.sign(keyFor(secret));
}

export interface VerifiedToken extends JWTPayload {
  sub: string;
  use: TokenUse;
}

/** Verifies signature, algorithm, issuer, audience (this clinic), expiry and purpose; null if any fails. */
export async function verifyToken(
  secret: string,
  token: string,
  use: TokenUse,
  clinicSlug: string,
): Promise<VerifiedToken | null> {
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: clinicAudience(clinicSlug),
      requiredClaims: ["sub", "exp", "iat"],
    });
    if (payload.use !== use || typeof payload.sub !== "string") return null;
    return payload as VerifiedToken;
  } catch {
    return null;
  }
}
