/**
 * The app's static server: the built PWA (vite build output) served by a handler we control,
 * never a dev or preview server.
 *
 * - The file list is read once at start: only files that exist in the build are served, looked
 *   up by exact path in that list, so no request path ever reaches the file system (no
 *   traversal, no symlink surprises, no directory listings). `/` is index.html.
 * - GET and HEAD only (405 otherwise); a malformed target is a 400 (the HTTP layer).
 * - Cache: vite's hashed assets (`/assets/<name>-<hash>.<ext>`) are immutable; everything else,
 *   index.html, sw.js and civic-config.json above all, is `no-cache` so a new build or config
 *   is seen at once.
 * - Security headers: nosniff, no framing (CSP frame-ancestors 'none' and X-Frame-Options), no
 *   referrer, and a CSP fitted to the built app: scripts and styles from this origin only
 *   (the build has no inline script or style), `'wasm-unsafe-eval'` for WebAssembly crypto,
 *   images from this origin and data: (the offer QR code), and connections to this origin and
 *   to the services civic-config.json names (the ledger, the issuers, the status mirrors).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { parseJson } from '../core/bytes/json.ts'
import { allowMethods, createHttpServer, send, type HttpLimits, type RequestTarget } from './http.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

/** vite's content-hashed output: the name changes whenever the bytes do. */
const HASHED = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/

interface StaticFile {
  file: string
  type: string
  cache: string
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name)
    if (d.isDirectory()) return listFiles(p)
    return d.isFile() ? [p] : []
  })
}

/** Origins (scheme://host:port) of the services the app's config names. */
export function configOrigins(config: unknown): string[] {
  const urls: unknown[] = []
  if (typeof config === 'object' && config !== null) {
    const c = config as { ledger?: { url?: unknown }; issuers?: unknown; statusMirrors?: unknown }
    urls.push(c.ledger?.url)
    if (Array.isArray(c.issuers)) for (const i of c.issuers) urls.push((i as { adminUrl?: unknown })?.adminUrl)
    if (typeof c.statusMirrors === 'object' && c.statusMirrors !== null) urls.push(...Object.values(c.statusMirrors))
  }
  const out = new Set<string>()
  for (const u of urls) {
    if (typeof u !== 'string') continue
    try {
      const p = new URL(u)
      if (p.protocol === 'http:' || p.protocol === 'https:') out.add(p.origin)
    } catch {
      // not a URL: the app refuses such a config itself
    }
  }
  return [...out]
}

export function contentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export interface StaticServerOptions {
  /** The built app (vite's outDir). */
  dir: string
  /** More origins the app may connect to, besides those civic-config.json names. */
  connect?: readonly string[]
  limits?: Partial<HttpLimits>
  log?: (line: string) => void
}

/** The static server (not listening yet). Throws ERR_CLI_FILE when `dir` has no index.html. */
export function createStaticServer(o: StaticServerOptions): Server {
  const files = new Map<string, StaticFile>()
  let names: string[]
  try {
    if (!statSync(join(o.dir, 'index.html')).isFile()) throw new Error('not a file')
    names = listFiles(o.dir)
  } catch (e) {
    throw new CivicError('ERR_CLI_FILE', `${o.dir} holds no built app (index.html): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  for (const file of names) {
    const path = `/${relative(o.dir, file).split(sep).join('/')}`
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
    files.set(path, { file, type, cache: HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache' })
  }
  files.set('/', files.get('/index.html')!)
  let config: unknown = null
  try {
    config = parseJson(readFileSync(join(o.dir, 'civic-config.json'), 'utf8'), { maxLength: 256 * 1024, maxDepth: 16 }, 'civic-config.json')
  } catch {
    // no config: the app connects to its own origin only
  }
  const headers = {
    'content-security-policy': contentSecurityPolicy([...configOrigins(config), ...(o.connect ?? [])]),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> => {
    allowMethods(req.method ?? 'GET', ['GET', 'HEAD'], target.path)
    const f = files.get(target.decodedPath)
    if (!f) throw new CivicError('ERR_HTTP_NOT_FOUND', `no file ${target.path.slice(0, 80)} in the app`)
    let bytes: Uint8Array
    try {
      bytes = await readFile(f.file)
    } catch (e) {
      throw new CivicError('ERR_HTTP_INTERNAL', `${f.file} can no longer be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
    }
    send(res, 200, bytes, { ...headers, 'content-type': f.type, 'cache-control': f.cache })
  }
  return createHttpServer({ handle, ...(o.limits ? { limits: o.limits } : {}), ...(o.log ? { log: o.log } : {}) })
}
