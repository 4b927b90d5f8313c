import { mathRandomBytes, randomBytes } from '../browser/global-scope';

/** Set once crypto.getRandomValues has thrown: it will again (the polyfill is missing), so it is not asked again. */
let broken = false;

/**
 * crypto.getRandomValues where it works, else Math.random (ids stay unique enough, not secret). React
 * Native's Hermes without `react-native-get-random-values` has a `crypto.getRandomValues` that throws
 * "crypto.getRandomValues() not supported": taken as absent, not as an error in init() or track().
 */
export function safeRandomBytes(length: number): Uint8Array {
  if (!broken) {
    try {
      return randomBytes(length);
    } catch {
      broken = true; // handled: the Math.random path below, from now on
    }
  }
  return mathRandomBytes(length);
}
