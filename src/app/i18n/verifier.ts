/**
 * The verifier console's strings, zh-CN and en side by side, and the texts of the error codes
 * the console can show. Imported only by the verifier console's components, so the strings load
 * with its chunk. In a component: `const t = locale.table(verifierStrings)`, then `t('vc.…')`.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Entry } from './strings.ts'
import type { CodesWithPrefix } from './text.ts'

export const verifierStrings = {
  'vc.audience': { 'zh-CN': '面向核验机构的工作人员', en: "For a verifier's officials" },
  'vc.summary': {
    'zh-CN': '为本机构的服务窗口设备办理登记，管理能登录的工作人员。',
    en: "Enrol your verifier's service counters, and manage the officials who may.",
  },
  'vc.noAdmin': {
    'zh-CN': '请从核验机构的控制台链接打开本页（npm start 会为每个核验机构打印一个）。',
    en: "Open this screen from a verifier's console link (npm start prints one for each verifier).",
  },
  'vc.adminAt': { 'zh-CN': '管理接口', en: 'Admin API' },
  'vc.loading': { 'zh-CN': '加载中…', en: 'Loading…' },
  'vc.retry': { 'zh-CN': '重试', en: 'Try again' },
  'vc.refresh': { 'zh-CN': '刷新', en: 'Refresh' },

  'vc.signin.title': { 'zh-CN': '工作人员登录', en: 'Officer sign-in' },
  'vc.signin.lead': {
    'zh-CN': '请用你在本机构登记的通行密钥（passkey）登录。15 分钟无操作后自动退出，最长 8 小时。',
    en: 'Sign in with the passkey you enrolled at this verifier. You are signed out after 15 idle minutes, and after 8 hours at most.',
  },
  'vc.signin.button': { 'zh-CN': '用通行密钥登录', en: 'Sign in with a passkey' },
  'vc.signin.busy': { 'zh-CN': '请在设备上确认…', en: 'Confirm on your device…' },
  'vc.signin.noAccount': {
    'zh-CN': '还没有账户？请向本机构的主管索取一次性登记链接。',
    en: 'No account yet? Ask a supervisor of this verifier for a one-time enrolment link.',
  },
  'vc.signin.expired': { 'zh-CN': '登录已过期，请重新登录。', en: 'Your session has ended. Please sign in again.' },
  'vc.officer.signedInAs': { 'zh-CN': '当前工作人员', en: 'Signed in as' },
  'vc.officer.signOut': { 'zh-CN': '退出登录', en: 'Sign out' },
  'vc.role.officer': { 'zh-CN': '窗口专员', en: 'Counter officer' },
  'vc.role.supervisor': { 'zh-CN': '主管', en: 'Supervisor' },
  'vc.role.officerNote': {
    'zh-CN': '窗口专员可以登记窗口设备、查看已登记的窗口；管理工作人员和查看审计记录由主管负责。',
    en: 'Counter officers enrol counters and see them; managing officers and reading the audit trail are for supervisors.',
  },

  'vc.enrol.title': { 'zh-CN': '登记工作人员通行密钥', en: 'Enrol your passkey' },
  'vc.enrol.lead': {
    'zh-CN': '此一次性链接将你登记为本核验机构的{role}“{name}”。在本设备上创建通行密钥后，即可用它登录。',
    en: 'This one-time link enrols you as “{name}” ({role}) at this verifier. Create a passkey on this device; you sign in with it from then on.',
  },
  'vc.enrol.checking': { 'zh-CN': '正在核对登记链接…', en: 'Checking the enrolment link…' },
  'vc.enrol.button': { 'zh-CN': '创建通行密钥', en: 'Create a passkey' },
  'vc.enrol.busy': { 'zh-CN': '请在设备上确认…', en: 'Confirm on your device…' },
  'vc.enrol.done': { 'zh-CN': '登记完成，你已登录。', en: 'You are enrolled and signed in.' },
  'vc.enrol.cancel': { 'zh-CN': '不登记', en: 'Do not enrol' },

  'vc.info.did': { 'zh-CN': '机构标识', en: 'Identifier' },
  'vc.info.url': { 'zh-CN': '窗口登记地址', en: 'Where counters enrol' },

  'vc.purposes.title': { 'zh-CN': '登记的用途', en: 'Registered purposes' },
  'vc.purposes.lead': {
    'zh-CN': '公共账本上为本机构登记的用途：窗口只能为这些用途、请求这些信息。',
    en: 'As registered for this verifier on the public ledger: a counter may ask only for these claims, for these purposes.',
  },
  'vc.purposes.claims': { 'zh-CN': '可请求', en: 'May ask for' },
  'vc.purposes.retention': { 'zh-CN': '保留', en: 'Keeps' },

  'vc.new.title': { 'zh-CN': '登记新窗口', en: 'New counter' },
  'vc.new.lead': {
    'zh-CN': '生成一次性登记链接；在窗口设备上打开它（或扫描二维码），设备即可登记为本机构的窗口。链接 24 小时内有效。',
    en: "Make a one-time enrolment link; open it on the counter's device (or scan its QR code) and the device becomes a counter of this verifier. The link works for 24 hours.",
  },
  'vc.new.nameZh': { 'zh-CN': '窗口名称（中文）', en: 'Counter name (Chinese)' },
  'vc.new.nameEn': { 'zh-CN': '窗口名称（英文）', en: 'Counter name (English)' },
  'vc.new.nameHint': {
    'zh-CN': '公民在出示信息前会看到这个名称，例如“A 区 3 号窗口”。',
    en: 'Citizens see this name before they share anything, e.g. “Hall A, counter 3”.',
  },
  'vc.new.purposes': { 'zh-CN': '这个窗口可办理的用途', en: 'Purposes this counter may ask for' },
  'vc.new.submit': { 'zh-CN': '生成登记链接', en: 'Make the enrolment link' },
  'vc.new.busy': { 'zh-CN': '正在生成…', en: 'Making…' },
  'vc.new.fix': { 'zh-CN': '请先更正标出的内容。', en: 'Please correct the marked fields first.' },
  'vc.new.pickPurpose': { 'zh-CN': '请至少选择一个用途。', en: 'Choose at least one purpose.' },
  'vc.field.required': { 'zh-CN': '此项必填。', en: 'This is required.' },
  'vc.field.long': { 'zh-CN': '最多 120 个字符。', en: 'At most 120 characters.' },
  'vc.field.space': { 'zh-CN': '开头和结尾不能有空格。', en: 'No spaces at the start or the end.' },
  'vc.field.unsafe': { 'zh-CN': '含有不允许的控制字符。', en: 'Contains a control character that is not allowed.' },

  'vc.created.title': { 'zh-CN': '窗口登记链接', en: 'Counter enrolment link' },
  'vc.created.lead': {
    'zh-CN': '在“{name}”的设备上打开这个链接，或用该设备扫描二维码。链接只能使用一次，有效期至 {time}。',
    en: "Open this link on the device of “{name}”, or scan the QR code with it. It works once, until {time}.",
  },
  'vc.created.qr': { 'zh-CN': '窗口登记链接的二维码', en: 'QR code of the counter enrolment link' },
  'vc.created.copy': { 'zh-CN': '复制链接', en: 'Copy the link' },
  'vc.created.copied': { 'zh-CN': '已复制。', en: 'Copied.' },
  'vc.created.copyFailed': { 'zh-CN': '无法复制，请手动选择链接。', en: 'Could not copy: select the link by hand.' },
  'vc.created.done': { 'zh-CN': '完成', en: 'Done' },
  'vc.created.noLink': {
    'zh-CN': '核验服务不知道应用的地址，无法生成链接。登记码：',
    en: "The verifier's service does not know the app's address, so it made no link. The code:",
  },

  'vc.counters.title': { 'zh-CN': '已登记的窗口', en: 'Counters enrolled' },
  'vc.counters.lead': {
    'zh-CN': '每个窗口设备持有自己的不可导出密钥；本机构为它签发的窗口凭证到期前，需要重新登记。',
    en: "Each counter's device holds its own non-extractable key; before the counter attestation this verifier signed for it expires, enrol it again.",
  },
  'vc.counters.empty': { 'zh-CN': '还没有登记任何窗口。', en: 'No counter is enrolled yet.' },
  'vc.counters.enrolled': { 'zh-CN': '登记于', en: 'Enrolled' },
  'vc.counters.expires': { 'zh-CN': '凭证到期', en: 'Attestation expires' },
  'vc.counters.expired': { 'zh-CN': '已到期', en: 'Expired' },
  'vc.counters.pending': {
    'zh-CN': '另有 {n} 个登记链接尚未使用。',
    en: '{n} enrolment {n|link is|links are} not used yet.',
  },

  'vc.officers.title': { 'zh-CN': '工作人员', en: 'Officers' },
  'vc.officers.lead': {
    'zh-CN': '登记链接只能使用一次，24 小时内有效。请当面或通过内部渠道交给对方。',
    en: 'An enrolment link works once, within 24 hours. Hand it over in person or through an internal channel.',
  },
  'vc.officers.name': { 'zh-CN': '姓名', en: 'Name' },
  'vc.officers.nameHint': {
    'zh-CN': '1 到 64 个文字、数字、空格或标点，例如“李专员”或工号。',
    en: 'Up to 64 letters, digits, spaces or punctuation, e.g. a name or a staff number.',
  },
  'vc.officers.nameProblem': {
    'zh-CN': '请使用 1 到 64 个文字、数字、空格或标点，开头和结尾不能是空格，也不能含控制字符。',
    en: 'Use 1 to 64 letters, digits, spaces or punctuation, with no space at the start or end and no control characters.',
  },
  'vc.officers.role': { 'zh-CN': '角色', en: 'Role' },
  'vc.officers.since': { 'zh-CN': '登记于', en: 'Enrolled' },
  'vc.officers.active': { 'zh-CN': '在用', en: 'Active' },
  'vc.officers.disabled': { 'zh-CN': '已停用', en: 'Disabled' },
  'vc.officers.you': { 'zh-CN': '（你）', en: '(you)' },
  'vc.officers.disable': { 'zh-CN': '停用', en: 'Disable' },
  'vc.officers.disableConfirm': { 'zh-CN': '停用“{name}”？其登录立即结束。', en: 'Disable “{name}”? Their session ends at once.' },
  'vc.officers.disableOk': { 'zh-CN': '确认停用', en: 'Disable' },
  'vc.officers.keep': { 'zh-CN': '取消', en: 'Cancel' },
  'vc.officers.new': { 'zh-CN': '登记新的工作人员', en: 'Enrol an officer' },
  'vc.officers.create': { 'zh-CN': '生成登记链接', en: 'Make the enrolment link' },
  'vc.officers.creating': { 'zh-CN': '正在生成…', en: 'Making…' },
  'vc.officers.link': { 'zh-CN': '“{name}”的一次性登记链接', en: 'One-time enrolment link for “{name}”' },
  'vc.officers.linkDone': { 'zh-CN': '已交给对方', en: 'Handed over' },
  'vc.officers.pending': { 'zh-CN': '尚未使用的登记链接', en: 'Enrolment links not used yet' },
  'vc.officers.expires': { 'zh-CN': '有效期至', en: 'expires' },
  'vc.officers.cancelLink': { 'zh-CN': '作废', en: 'Void' },

  'vc.audit.title': { 'zh-CN': '审计记录', en: 'Audit trail' },
  'vc.audit.lead': {
    'zh-CN': '每项操作由谁、何时、对什么做出，结果如何（最新的在前）。登记码等秘密从不写入。',
    en: 'Who did what, on what, when, and how it ended (newest first). Codes and other secrets are never in it.',
  },
  'vc.audit.empty': { 'zh-CN': '还没有记录。', en: 'Nothing recorded yet.' },
  'vc.audit.ok': { 'zh-CN': '完成', en: 'Done' },
  'vc.audit.started': { 'zh-CN': '已开始，结果未记录', en: 'Started, no outcome recorded' },
  'vc.audit.refused': { 'zh-CN': '被拒绝：{text}（{code}）', en: 'Refused: {text} ({code})' },
  'vc.audit.nobody': { 'zh-CN': '未登录者', en: 'Nobody signed in' },
  'vc.audit.token': { 'zh-CN': '管理令牌（脚本）', en: 'Admin token (script)' },
  'vc.audit.action.counter-enrolment.create': { 'zh-CN': '生成窗口登记链接', en: 'Counter enrolment link made' },
  'vc.audit.action.enrolment.create': { 'zh-CN': '生成工作人员登记链接', en: 'Officer enrolment link made' },
  'vc.audit.action.enrolment.cancel': { 'zh-CN': '作废工作人员登记链接', en: 'Officer enrolment link voided' },
  'vc.audit.action.officer.enrol': { 'zh-CN': '工作人员登记', en: 'Officer enrolled' },
  'vc.audit.action.officer.disable': { 'zh-CN': '停用工作人员', en: 'Officer disabled' },
  'vc.audit.action.session.start': { 'zh-CN': '登录', en: 'Signed in' },
  'vc.audit.action.session.end': { 'zh-CN': '退出登录', en: 'Signed out' },
  'vc.audit.action.refused.unauthenticated': { 'zh-CN': '拒绝未通过核验的请求', en: 'Unverified requests refused' },

  'vc.problem.code': { 'zh-CN': '错误代码', en: 'Error code' },
  'vc.problem.detail': { 'zh-CN': '技术详情', en: 'Technical details' },
  'error.ERR_VERIFIER_UNREACHABLE': {
    'zh-CN': '无法连接核验机构的管理接口。请确认系统正在运行。',
    en: "The verifier's admin API cannot be reached. Check that the system is running.",
  },
  'error.ERR_VERIFIER_FORBIDDEN': {
    'zh-CN': '核验机构的管理接口拒绝了本控制台：它只接受本机上已配置的应用。',
    en: "The verifier's admin API refused this console: it answers only the app configured on this machine.",
  },
  'error.ERR_VERIFIER_BAD_REQUEST': { 'zh-CN': '核验服务无法理解这个请求。', en: "The verifier's service did not understand the request." },
  'error.ERR_VERIFIER_ENROLMENT': {
    'zh-CN': '这个窗口登记码无效、已经用过或已过期。',
    en: 'This counter enrolment code is unknown, used already or expired.',
  },
  'error.ERR_VERIFIER_UNAUTHENTICATED': {
    'zh-CN': '未登录，或登录未通过核验。请用通行密钥登录。',
    en: 'You are not signed in, or the sign-in did not verify. Sign in with your passkey.',
  },
  'error.ERR_VERIFIER_ROLE': { 'zh-CN': '你的角色不能执行这项操作，请联系主管。', en: 'Your role does not allow this. Ask a supervisor.' },
  'error.ERR_VERIFIER_OFFICER_ENROLMENT': {
    'zh-CN': '登记链接无效、已使用或已过期。请向主管索取新的链接。',
    en: 'This enrolment link is unknown, already used or expired. Ask a supervisor for a new one.',
  },
  'error.ERR_VERIFIER_RATE_LIMITED': { 'zh-CN': '请求过于频繁，请稍后再试。', en: 'Too many attempts. Wait a moment and try again.' },
  'error.ERR_VERIFIER_CAPACITY': {
    'zh-CN': '工作人员或待用的登记链接已达上限。',
    en: 'This verifier has as many officers or pending enrolment links as it keeps.',
  },
  'error.ERR_VERIFIER_STORAGE': { 'zh-CN': '核验服务无法保存，未作任何更改。', en: "The verifier's service could not save; nothing changed." },
  'error.ERR_VERIFIER_CONFIG': { 'zh-CN': '核验服务的配置有误。', en: "The verifier's service is misconfigured." },
  'error.ERR_VERIFIER_PASSKEY': {
    'zh-CN': '通行密钥操作未完成（已取消、超时，或本设备上没有本机构的通行密钥）。',
    en: 'The passkey step did not complete (cancelled, timed out, or no passkey of this verifier on this device).',
  },
  'error.ERR_EXCH_PURPOSE_UNKNOWN': {
    'zh-CN': '本机构没有登记这个用途。',
    en: 'This verifier has not registered that purpose.',
  },
} as const satisfies Record<string, Entry>

export type VerifierKey = keyof typeof verifierStrings

/** Every code of a verifier's service. */
export type VerifierCode = CodesWithPrefix<'ERR_VERIFIER_'>

/**
 * The text of every code the console can meet: total over the ERR_VERIFIER_ codes, so a new one
 * without a text is a type error, and the purpose refusal a counter code can meet. The shared
 * HTTP layer's codes have the shell's texts (text.ts).
 */
export const VERIFIER_ERROR_TEXT: Readonly<Record<VerifierCode, VerifierKey> & Partial<Record<ErrorCode, VerifierKey>>> = {
  ERR_VERIFIER_UNREACHABLE: 'error.ERR_VERIFIER_UNREACHABLE',
  ERR_VERIFIER_FORBIDDEN: 'error.ERR_VERIFIER_FORBIDDEN',
  ERR_VERIFIER_BAD_REQUEST: 'error.ERR_VERIFIER_BAD_REQUEST',
  ERR_VERIFIER_ENROLMENT: 'error.ERR_VERIFIER_ENROLMENT',
  ERR_VERIFIER_UNAUTHENTICATED: 'error.ERR_VERIFIER_UNAUTHENTICATED',
  ERR_VERIFIER_ROLE: 'error.ERR_VERIFIER_ROLE',
  ERR_VERIFIER_OFFICER_ENROLMENT: 'error.ERR_VERIFIER_OFFICER_ENROLMENT',
  ERR_VERIFIER_RATE_LIMITED: 'error.ERR_VERIFIER_RATE_LIMITED',
  ERR_VERIFIER_CAPACITY: 'error.ERR_VERIFIER_CAPACITY',
  ERR_VERIFIER_STORAGE: 'error.ERR_VERIFIER_STORAGE',
  ERR_VERIFIER_CONFIG: 'error.ERR_VERIFIER_CONFIG',
  ERR_VERIFIER_PASSKEY: 'error.ERR_VERIFIER_PASSKEY',
  ERR_EXCH_PURPOSE_UNKNOWN: 'error.ERR_EXCH_PURPOSE_UNKNOWN',
}
