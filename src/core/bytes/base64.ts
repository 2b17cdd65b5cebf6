/**
 * Strict standard base64 (RFC 4648 §4, with `=` padding), as C2SP signed-note, tlog-checkpoint
 * and tlog-proof use it: padding exactly as the length needs, no URL-safe characters, canonical
 * trailing bits. Built on the strict base64url codec, so both refuse the same ways.
 */
import { decodeBase64url, encodeBase64url } from './base64url.ts'

export function encodeBase64(bytes: Uint8Array): string {
  const u = encodeBase64url(bytes)
  return u.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/')) + '='.repeat((4 - (u.length % 4)) % 4)
}

/** Canonical padded standard base64 to bytes, or null. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0) return null
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const body = text.slice(0, text.length - pad)
  if (/[^A-Za-z0-9+/]/.test(body)) return null
  try {
    return decodeBase64url(body.replace(/[+/]/g, (c) => (c === '+' ? '-' : '_')))
  } catch {
    return null
  }
}
