/**
 * A registered purpose for test registries: the id, name, credential type and claims a test
 * cares about, with a plain why, "keeps nothing" and a contact unless the test says otherwise.
 */
import type { LocalizedText, VerifierPurpose } from '../../src/core/registry/entry.ts'

export const KEEPS_NOTHING = { days: 0, promise: { 'zh-CN': '核验后不保留任何个人信息', en: 'Keeps no personal data after the check' } }

export function purpose(
  p: { id: string; name: LocalizedText; vct: string; claims: string[] },
  o: Partial<Pick<VerifierPurpose, 'why' | 'retention' | 'contact'>> = {},
): VerifierPurpose {
  return {
    ...p,
    why: o.why ?? { 'zh-CN': `${p.name['zh-CN']}需要这些信息`, en: `${p.name.en} needs these details` },
    retention: o.retention ?? KEEPS_NOTHING,
    contact: o.contact ?? 'mailto:privacy@verifier.example',
  }
}
