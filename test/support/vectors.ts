/** Paths into ../shared/vectors (public test vectors with provenance, beside the project). */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const VECTORS = resolve(PROJECT_ROOT, '../shared/vectors')

export const vectorPath = (...p: string[]): string => join(VECTORS, ...p)
export const readVector = (...p: string[]): string => readFileSync(vectorPath(...p), 'utf8')
export const readVectorJson = <T = any>(...p: string[]): T => JSON.parse(readVector(...p)) as T
export const listVectors = (...p: string[]): string[] => readdirSync(vectorPath(...p)).sort()
