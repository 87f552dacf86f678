/**
 * The limits on failed sign-ins (rate limiter rules, see src/platform/rate-limit.ts and the table in
 * docs/operations.md). A stranger's guesses slow down only that stranger: the first two rules are
 * keyed by the guessing IP. Only a sustained attack on one account, from anywhere, locks it.
 */
import { networkOf, type RateRule } from "../platform/rate-limit";

/** Per account and IP: after 5 failures that IP waits 1, 2, 4 ... minutes (at most an hour) for that account. */
export const SIGN_IN_FAILURES_ACCOUNT_IP: RateRule = {
  name: "sign-in.failures.account-ip",
  limit: 5,
  windowSeconds: 3600,
  backoff: { baseSeconds: 60, maxSeconds: 3600 },
};

/** Per IP across accounts: enough for a whole clinic behind one address mistyping on a busy morning. */
export const SIGN_IN_FAILURES_IP: RateRule = { name: "sign-in.failures.ip", limit: 100, windowSeconds: 900 };

/** Per account from any IP: reaching it locks the account (a sustained attack) and tells its holder. */
export const SIGN_IN_FAILURES_ACCOUNT: RateRule = { name: "sign-in.failures.account", limit: 50, windowSeconds: 3600 };

/** The key of the per-account-and-IP rule. */
export const accountIpKey = (ip: string | null, email: string) => `${networkOf(ip) ?? "unknown"}|${email}`;
/** The key of the per-IP rule. */
export const ipKey = (ip: string | null) => networkOf(ip) ?? "unknown";
