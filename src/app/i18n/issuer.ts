/**
 * The issuer console's strings, zh-CN and en side by side, and the texts of the error codes the
 * console can show. Imported only by the issuer role's components, so the strings load with
 * that role's chunk. In a component: `const t = locale.table(issuerStrings)`, then `t('issuer.…')`.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Entry } from './strings.ts'
import type { CodesWithPrefix } from './text.ts'

export const issuerStrings = {
  'issuer.config.loading': { 'zh-CN': '正在读取服务配置…', en: 'Reading the service configuration…' },
  'issuer.config.missing': {
    'zh-CN': '本页旁边没有服务配置文件 civic-config.json，控制台不知道签发服务在哪里。请用 npm start 启动整个系统（单独运行 vite dev 时没有签发机构）。',
    en: 'There is no civic-config.json next to this page, so the console does not know where the issuer services are. Start the whole system with npm start (plain vite dev runs no issuers).',
  },
  'issuer.config.invalid': {
    'zh-CN': '服务配置文件 civic-config.json 的内容不符合要求：',
    en: 'civic-config.json is there but does not fit:',
  },
  'issuer.config.unreachable': {
    'zh-CN': '无法读取服务配置（可能已离线，或服务器已停止）。',
    en: 'The service configuration could not be read (offline, or the server has stopped).',
  },
  'issuer.config.none': { 'zh-CN': '服务配置中没有任何签发机构。', en: 'The service configuration lists no issuing office.' },
  'issuer.retry': { 'zh-CN': '重试', en: 'Try again' },
  'issuer.refresh': { 'zh-CN': '刷新', en: 'Refresh' },
  'issuer.loading': { 'zh-CN': '加载中…', en: 'Loading…' },

  'issuer.pick.legend': { 'zh-CN': '签发机构', en: 'Issuing office' },
  'issuer.pick.hint': { 'zh-CN': '请选择你代表哪个机构签发证件。', en: 'Choose the office you issue credentials for.' },
  'issuer.info.did': { 'zh-CN': '机构标识', en: 'Identifier' },
  'issuer.info.key': { 'zh-CN': '当前签名密钥', en: 'Signing key' },
  'issuer.info.batch': {
    'zh-CN': '每个证件以 {n} 份一次性副本签发，每份绑定公民设备上的不同密钥。',
    en: "Each credential is issued as {n} one-time copies, each bound to its own key on the citizen's device.",
  },

  'issuer.issue.title': { 'zh-CN': '签发证件', en: 'Issue a credential' },
  'issuer.issue.type': { 'zh-CN': '证件类型', en: 'Credential type' },
  'issuer.issue.claims': { 'zh-CN': '持证人信息', en: "Holder's details" },
  'issuer.issue.computed': { 'zh-CN': '签发时自动计算：', en: 'Computed at issuance:' },
  'issuer.issue.optional': { 'zh-CN': '（选填）', en: '(optional)' },
  'issuer.issue.officer': { 'zh-CN': '经办人编号', en: 'Officer reference' },
  'issuer.issue.officerHint': {
    'zh-CN': '选填。最多 64 个字（文字、数字、空格或标点），例如“王警官”或工号，用于内部追溯，不写入证件。',
    en: 'Optional. Up to 64 letters, digits, spaces or punctuation (a name such as 王警官, or a staff number), for your own records; it is not written into the credential.',
  },
  'issuer.issue.txCode': {
    'zh-CN': '使用交易码保护（公民领取时需输入）',
    en: 'Protect with a transaction code (the citizen types it when collecting)',
  },
  'issuer.issue.submit': { 'zh-CN': '生成领取二维码', en: 'Create the offer' },
  'issuer.issue.busy': { 'zh-CN': '正在生成…', en: 'Creating…' },
  'issuer.issue.privacy': {
    'zh-CN': '这些信息只用于本次签发。证件签发后（或领取过期后），签发机构不会保留任何一项。',
    en: 'These details are used for this issuance only. Once the credential is issued (or the offer expires) the office keeps none of them.',
  },
  'issuer.issue.fix': { 'zh-CN': '请先更正标出的内容。', en: 'Please correct the marked fields first.' },
  'issuer.field.required': { 'zh-CN': '此项必填。', en: 'This is required.' },
  'issuer.field.date': { 'zh-CN': '请输入有效日期（年-月-日）。', en: 'Enter a valid date (year-month-day).' },
  'issuer.field.future': { 'zh-CN': '日期不能晚于今天。', en: 'The date cannot be in the future.' },
  'issuer.field.long': { 'zh-CN': '最多 200 个字符。', en: 'At most 200 characters.' },
  'issuer.field.space': { 'zh-CN': '开头和结尾不能有空格。', en: 'No spaces at the start or the end.' },
  'issuer.field.unsafe': {
    'zh-CN': '含有不允许的控制字符或排版方向字符。',
    en: 'Contains a control or text-direction character that is not allowed.',
  },
  'issuer.field.officer': {
    'zh-CN': '请使用 1 到 64 个文字、数字、空格或标点，开头和结尾不能是空格，也不能含控制字符。',
    en: 'Use 1 to 64 letters, digits, spaces or punctuation, with no space at the start or end and no control characters.',
  },

  'issuer.signin.title': { 'zh-CN': '经办人登录', en: 'Officer sign-in' },
  'issuer.signin.lead': {
    'zh-CN': '请用你在本机构登记的通行密钥（passkey）登录。登录 15 分钟无操作后自动退出，最长 8 小时。',
    en: 'Sign in with the passkey you enrolled at this office. You are signed out after 15 idle minutes, and after 8 hours at most.',
  },
  'issuer.signin.button': { 'zh-CN': '用通行密钥登录', en: 'Sign in with a passkey' },
  'issuer.signin.busy': { 'zh-CN': '请在设备上确认…', en: 'Confirm on your device…' },
  'issuer.signin.noAccount': {
    'zh-CN': '还没有账户？请向本机构的主管索取一次性登记链接。',
    en: 'No account yet? Ask a supervisor of this office for a one-time enrolment link.',
  },
  'issuer.signin.expired': { 'zh-CN': '登录已过期，请重新登录。', en: 'Your session has ended. Please sign in again.' },
  'issuer.officer.signedInAs': { 'zh-CN': '当前经办人', en: 'Signed in as' },
  'issuer.officer.signOut': { 'zh-CN': '退出登录', en: 'Sign out' },
  'issuer.role.clerk': { 'zh-CN': '办事员', en: 'Clerk' },
  'issuer.role.supervisor': { 'zh-CN': '主管', en: 'Supervisor' },
  'issuer.role.clerkNote': {
    'zh-CN': '办事员可以签发和查看证件；撤销、暂停、发布和管理经办人由主管操作。',
    en: 'Clerks issue and view credentials; revoking, suspending, publishing and managing officers are for supervisors.',
  },

  'issuer.enrol.title': { 'zh-CN': '登记经办人通行密钥', en: 'Enrol your passkey' },
  'issuer.enrol.lead': {
    'zh-CN': '此一次性链接将你登记为{office}的{role}“{name}”。在本设备上创建通行密钥后，即可用它登录。',
    en: 'This one-time link enrols you as “{name}” ({role}) at {office}. Create a passkey on this device; you sign in with it from then on.',
  },
  'issuer.enrol.checking': { 'zh-CN': '正在核对登记链接…', en: 'Checking the enrolment link…' },
  'issuer.enrol.button': { 'zh-CN': '创建通行密钥', en: 'Create a passkey' },
  'issuer.enrol.busy': { 'zh-CN': '请在设备上确认…', en: 'Confirm on your device…' },
  'issuer.enrol.done': { 'zh-CN': '登记完成，你已登录。', en: 'You are enrolled and signed in.' },
  'issuer.enrol.unknownOffice': {
    'zh-CN': '登记链接指向的机构不在服务配置中。',
    en: 'The enrolment link names an office that is not in the service configuration.',
  },
  'issuer.enrol.cancel': { 'zh-CN': '不登记', en: 'Do not enrol' },

  'issuer.officers.title': { 'zh-CN': '经办人', en: 'Officers' },
  'issuer.officers.lead': {
    'zh-CN': '登记链接只能使用一次，24 小时内有效。请当面或通过内部渠道交给对方。',
    en: 'An enrolment link works once, within 24 hours. Hand it over in person or through an internal channel.',
  },
  'issuer.officers.name': { 'zh-CN': '姓名', en: 'Name' },
  'issuer.officers.role': { 'zh-CN': '角色', en: 'Role' },
  'issuer.officers.since': { 'zh-CN': '登记时间', en: 'Enrolled' },
  'issuer.officers.passkeys': { 'zh-CN': '通行密钥', en: 'Passkeys' },
  'issuer.officers.disabled': { 'zh-CN': '已停用', en: 'Disabled' },
  'issuer.officers.active': { 'zh-CN': '在用', en: 'Active' },
  'issuer.officers.state': { 'zh-CN': '状态', en: 'State' },
  'issuer.officers.pending': { 'zh-CN': '待使用的登记链接', en: 'Enrolment links not used yet' },
  'issuer.officers.expires': { 'zh-CN': '有效期至', en: 'Valid until' },
  'issuer.officers.new': { 'zh-CN': '登记新经办人', en: 'Enrol an officer' },
  'issuer.officers.create': { 'zh-CN': '生成登记链接', en: 'Make an enrolment link' },
  'issuer.officers.creating': { 'zh-CN': '正在生成…', en: 'Making…' },
  'issuer.officers.link': { 'zh-CN': '{name}的登记链接（仅可使用一次）', en: 'Enrolment link for {name} (works once)' },
  'issuer.officers.actions': { 'zh-CN': '操作', en: 'Actions' },
  'issuer.officers.disable': { 'zh-CN': '停用', en: 'Disable' },
  'issuer.officers.disableConfirm': {
    'zh-CN': '停用“{name}”？其登录立即结束，之后不能再登录。',
    en: 'Disable “{name}”? Their sessions end now and they cannot sign in again.',
  },
  'issuer.officers.disableOk': { 'zh-CN': '确认停用', en: 'Disable' },
  'issuer.officers.cancelLink': { 'zh-CN': '作废链接', en: 'Void link' },
  'issuer.officers.linkDone': { 'zh-CN': '完成', en: 'Done' },
  'issuer.officers.none': { 'zh-CN': '还没有经办人。', en: 'No officers yet.' },
  'issuer.officers.nameHint': {
    'zh-CN': '1 到 64 个文字、数字、空格或标点，例如“王警官”。',
    en: '1 to 64 letters, digits, spaces or punctuation, e.g. 王警官.',
  },

  'issuer.audit.title': { 'zh-CN': '操作记录', en: 'Audit trail' },
  'issuer.audit.lead': {
    'zh-CN': '每项操作由谁、何时、对哪个编号执行，以及结果。记录中没有任何公民信息。',
    en: 'Who did what, when, to which ids, and how it ended. It holds no citizen data.',
  },
  'issuer.audit.when': { 'zh-CN': '时间', en: 'When' },
  'issuer.audit.who': { 'zh-CN': '经办人', en: 'Officer' },
  'issuer.audit.what': { 'zh-CN': '操作', en: 'Action' },
  'issuer.audit.target': { 'zh-CN': '对象', en: 'Target' },
  'issuer.audit.outcome': { 'zh-CN': '结果', en: 'Outcome' },
  'issuer.audit.refused': { 'zh-CN': '{text}（{code}）', en: '{text} ({code})' },
  'issuer.audit.started': { 'zh-CN': '已开始，未记录结果', en: 'Started; no outcome recorded' },
  'issuer.audit.ok': { 'zh-CN': '成功', en: 'Done' },
  'issuer.audit.nobody': { 'zh-CN': '（未识别）', en: '(unknown)' },
  'issuer.audit.token': { 'zh-CN': '管理令牌', en: 'Admin token' },
  'issuer.audit.empty': { 'zh-CN': '暂无记录。', en: 'Nothing recorded yet.' },
  'issuer.audit.action.offer.create': { 'zh-CN': '生成领取二维码', en: 'Make an offer' },
  'issuer.audit.action.credential.revoke': { 'zh-CN': '撤销证件', en: 'Revoke a credential' },
  'issuer.audit.action.credential.suspend': { 'zh-CN': '暂停证件', en: 'Suspend a credential' },
  'issuer.audit.action.credential.reinstate': { 'zh-CN': '恢复证件', en: 'Reinstate a credential' },
  'issuer.audit.action.lists.publish': { 'zh-CN': '发布状态列表', en: 'Publish status lists' },
  'issuer.audit.action.key.rotate': { 'zh-CN': '更换签名密钥', en: 'Rotate the signing key' },
  'issuer.audit.action.key.revoke': { 'zh-CN': '吊销密钥', en: 'Revoke a key' },
  'issuer.audit.action.enrolment.create': { 'zh-CN': '生成登记链接', en: 'Make an enrolment link' },
  'issuer.audit.action.enrolment.cancel': { 'zh-CN': '作废登记链接', en: 'Cancel an enrolment link' },
  'issuer.audit.action.officer.enrol': { 'zh-CN': '登记通行密钥', en: 'Enrol a passkey' },
  'issuer.audit.action.officer.disable': { 'zh-CN': '停用经办人', en: 'Disable an officer' },
  'issuer.audit.action.session.start': { 'zh-CN': '登录', en: 'Sign in' },
  'issuer.audit.action.session.end': { 'zh-CN': '退出登录', en: 'Sign out' },
  'issuer.audit.action.refused.unauthenticated': { 'zh-CN': '拒绝未登录的请求（汇总）', en: 'Refused requests without a valid sign-in (summary)' },

  'issuer.offer.title': { 'zh-CN': '领取二维码已生成', en: 'The offer is ready' },
  'issuer.offer.scan': {
    'zh-CN': '请公民用钱包扫描此二维码领取证件。',
    en: 'Ask the citizen to scan this code with their wallet to collect the credential.',
  },
  'issuer.offer.qrAlt': { 'zh-CN': '证件领取二维码', en: 'QR code of the credential offer' },
  'issuer.offer.uri': { 'zh-CN': '领取链接', en: 'Offer link' },
  'issuer.offer.copy': { 'zh-CN': '复制链接', en: 'Copy link' },
  'issuer.offer.sameDevice': { 'zh-CN': '在这台设备的钱包中打开', en: 'Open in the wallet on this device' },
  'issuer.offer.copied': { 'zh-CN': '已复制。', en: 'Copied.' },
  'issuer.offer.copyFailed': { 'zh-CN': '无法自动复制，请手动选择链接。', en: 'Could not copy; select the link by hand.' },
  'issuer.offer.txCode': { 'zh-CN': '交易码', en: 'Transaction code' },
  'issuer.offer.txCodeHint': {
    'zh-CN': '请当面单独告知公民，不要与二维码一起发送。',
    en: 'Tell it to the citizen in person, never together with the QR code.',
  },
  'issuer.offer.noTxCode': { 'zh-CN': '此次领取不需要交易码。', en: 'This offer needs no transaction code.' },
  'issuer.offer.expires': { 'zh-CN': '有效期至', en: 'Valid until' },
  'issuer.offer.credential': { 'zh-CN': '证件编号', en: 'Credential id' },
  'issuer.offer.done': { 'zh-CN': '完成，签发下一个', en: 'Done, issue another' },
  'issuer.offer.step.scan': { 'zh-CN': '第 1 步：请公民扫描二维码', en: 'Step 1: the citizen scans the QR code' },
  'issuer.offer.step.code': { 'zh-CN': '第 2 步：告知交易码', en: 'Step 2: tell the transaction code' },
  'issuer.offer.revealTxCode': { 'zh-CN': '已扫描，显示交易码', en: 'Scanned: show the transaction code' },
  'issuer.offer.txCodeLater': {
    'zh-CN': '交易码在公民扫描二维码之后才会显示，二者不会同时出现在屏幕上。',
    en: 'The transaction code shows only after the citizen has scanned the QR code; the two are never on screen together.',
  },
  'issuer.offer.showQr': { 'zh-CN': '重新显示二维码', en: 'Show the QR code again' },

  'issuer.creds.title': { 'zh-CN': '已签发证件', en: 'Issued credentials' },
  'issuer.creds.note': {
    'zh-CN': '签发机构只保留撤销所需的信息：编号、类型、时间、副本和状态，不含任何个人信息。',
    en: 'The office keeps only what revocation needs: id, type, times, copies and status. Nothing personal.',
  },
  'issuer.creds.empty': { 'zh-CN': '尚未签发任何证件。', en: 'No credentials issued yet.' },
  'issuer.creds.id': { 'zh-CN': '编号', en: 'Id' },
  'issuer.creds.type': { 'zh-CN': '类型', en: 'Type' },
  'issuer.creds.issuedAt': { 'zh-CN': '签发时间', en: 'Issued' },
  'issuer.creds.copies': { 'zh-CN': '副本', en: 'Copies' },
  'issuer.creds.status': { 'zh-CN': '状态', en: 'Status' },
  'issuer.creds.actions': { 'zh-CN': '操作', en: 'Actions' },
  'issuer.pending.title': { 'zh-CN': '尚未领取的二维码', en: 'Offers not collected yet' },
  'issuer.pending.note': {
    'zh-CN': '公民扫描并领取之前，这些还不是证件：没有签发任何副本。',
    en: 'Until the citizen scans and collects one, it is not a credential yet: no copy has been issued.',
  },
  'issuer.pending.created': { 'zh-CN': '生成时间', en: 'Made' },
  'issuer.pending.expires': { 'zh-CN': '有效期至', en: 'Valid until' },
  'issuer.pending.cancel': { 'zh-CN': '作废', en: 'Cancel offer' },
  'issuer.pending.cancelled': { 'zh-CN': '已作废', en: 'Cancelled' },
  'issuer.status.offered': { 'zh-CN': '待领取', en: 'Offered' },
  'issuer.status.valid': { 'zh-CN': '有效', en: 'Valid' },
  'issuer.status.suspended': { 'zh-CN': '已暂停', en: 'Suspended' },
  'issuer.status.revoked': { 'zh-CN': '已撤销', en: 'Revoked' },
  'issuer.status.lapsed': { 'zh-CN': '已失效（未领取）', en: 'Lapsed (never collected)' },
  'issuer.action.revoke': { 'zh-CN': '撤销', en: 'Revoke' },
  'issuer.action.suspend': { 'zh-CN': '暂停', en: 'Suspend' },
  'issuer.action.reinstate': { 'zh-CN': '恢复', en: 'Reinstate' },

  'issuer.confirm.revoke.title': { 'zh-CN': '撤销这个证件？', en: 'Revoke this credential?' },
  'issuer.confirm.suspend.title': { 'zh-CN': '暂停这个证件？', en: 'Suspend this credential?' },
  'issuer.confirm.reinstate.title': { 'zh-CN': '恢复这个证件？', en: 'Reinstate this credential?' },
  'issuer.confirm.names': { 'zh-CN': '证件 {id}（{type}）', en: 'Credential {id} ({type})' },
  'issuer.confirm.revoke.body': {
    'zh-CN': '它的全部 {n} 份副本都将被撤销，无论在哪部设备上。撤销无法恢复。',
    en: 'All {n} copies of it will be revoked, on whatever device they are. A revocation cannot be undone.',
  },
  'issuer.confirm.suspend.body': {
    'zh-CN': '它的全部 {n} 份副本都将暂停使用，直到你恢复它。',
    en: 'All {n} copies of it will be suspended until you reinstate it.',
  },
  'issuer.confirm.reinstate.body': {
    'zh-CN': '它的全部 {n} 份副本都将恢复有效。',
    en: 'All {n} copies of it will be valid again.',
  },
  'issuer.confirm.offered.title': { 'zh-CN': '作废这个领取二维码？', en: 'Cancel this offer?' },
  'issuer.confirm.offered.ok': { 'zh-CN': '作废', en: 'Cancel the offer' },
  'issuer.confirm.offered.keep': { 'zh-CN': '保留', en: 'Keep it' },
  'issuer.confirm.offered.body': {
    'zh-CN': '公民尚未领取此证件：领取二维码将作废，任何副本都不会再签发。',
    en: 'The citizen has not collected it yet: its offer is cancelled and no copy of it will ever be issued.',
  },
  'issuer.confirm.publishHint': {
    'zh-CN': '发布状态列表后，核验方才会看到这项变更。',
    en: 'Verifiers see the change once you publish the status lists.',
  },
  'issuer.confirm.cancel': { 'zh-CN': '取消', en: 'Cancel' },
  'issuer.confirm.revoke.ok': { 'zh-CN': '撤销全部副本', en: 'Revoke all copies' },
  'issuer.confirm.suspend.ok': { 'zh-CN': '暂停全部副本', en: 'Suspend all copies' },
  'issuer.confirm.reinstate.ok': { 'zh-CN': '恢复全部副本', en: 'Reinstate all copies' },
  'issuer.notice.revoke': { 'zh-CN': '证件 {id} 已撤销。', en: 'Credential {id} is revoked.' },
  'issuer.notice.suspend': { 'zh-CN': '证件 {id} 已暂停。', en: 'Credential {id} is suspended.' },
  'issuer.notice.reinstate': { 'zh-CN': '证件 {id} 已恢复有效。', en: 'Credential {id} is valid again.' },
  'issuer.notice.unchanged': { 'zh-CN': '证件 {id} 本来就是这个状态。', en: 'Credential {id} was already in that state.' },
  'issuer.notice.published': {
    'zh-CN': '状态列表已发布，核验方现在可以看到变更。',
    en: 'The status lists are published: verifiers see it now.',
  },
  'issuer.notice.publishNext': {
    'zh-CN': '请发布状态列表，让核验方看到变更。',
    en: 'Publish the status lists so that verifiers see it.',
  },

  'issuer.anchors.title': { 'zh-CN': '状态列表与账本锚点', en: 'Status lists and ledger anchors' },
  'issuer.anchors.lead': {
    'zh-CN': '发布时，每个有变化的状态列表会签发新版本，其摘要锚定到公共账本；签发机构再用账本见证方的联署核验收录证明。',
    en: "Publishing signs a new version of every changed status list and anchors its digest on the public ledger; the office then checks the inclusion proof against the ledger's witnesses.",
  },
  'issuer.publish.button': { 'zh-CN': '发布状态列表', en: 'Publish status lists' },
  'issuer.publish.busy': { 'zh-CN': '正在发布并等待见证方联署…', en: 'Publishing and waiting for the witnesses…' },
  'issuer.publish.done': { 'zh-CN': '已发布 {n} 个状态列表。', en: 'Published {n} status {n|list|lists}.' },
  'issuer.publish.nothing': { 'zh-CN': '自上次发布以来没有变化。', en: 'Nothing has changed since the last publication.' },
  'issuer.publish.failed': { 'zh-CN': '{n} 个状态列表未能发布。', en: '{n} status {n|list|lists} could not be published.' },
  'issuer.anchors.empty': { 'zh-CN': '尚无状态锚点。签发证件后发布即可生成。', en: 'No status anchors yet. Issue a credential, then publish.' },
  'issuer.anchors.list': { 'zh-CN': '状态列表', en: 'Status list' },
  'issuer.anchors.version': { 'zh-CN': '版本', en: 'Version' },
  'issuer.anchors.index': { 'zh-CN': '账本序号', en: 'Ledger index' },
  'issuer.anchors.inclusion': { 'zh-CN': '收录', en: 'Inclusion' },
  'issuer.anchors.verified': { 'zh-CN': '已验证收录', en: 'Inclusion verified' },
  'issuer.anchors.unverified': { 'zh-CN': '收录未验证', en: 'Inclusion not verified' },
  'issuer.anchors.checkpoint': { 'zh-CN': '检查点大小 {n}', en: 'checkpoint size {n}' },

  'issuer.witnesses.title': { 'zh-CN': '账本见证方', en: 'Ledger witnesses' },
  'issuer.witnesses.lead': {
    'zh-CN': '公共账本两个日志的最新检查点由以下见证方联署。',
    en: "Who cosigned the public ledger's latest checkpoints.",
  },
  'issuer.witnesses.log.registry': { 'zh-CN': '登记日志', en: 'Registry log' },
  'issuer.witnesses.log.status': { 'zh-CN': '状态日志（本机构的锚点在此）', en: "Status log (this office's anchors)" },
  'issuer.witnesses.ledger': { 'zh-CN': '日志', en: 'Log' },
  'issuer.witnesses.size': { 'zh-CN': '条目数', en: 'Size' },
  'issuer.witnesses.quorum': {
    'zh-CN': '{n} 个见证方已联署（至少需要 {k} 个）。',
    en: '{n} {n|witness|witnesses} cosigned (at least {k} {k|is|are} needed).',
  },
  'issuer.witnesses.cosigned': { 'zh-CN': '已联署', en: 'Cosigned' },
  'issuer.witnesses.missing': { 'zh-CN': '未联署', en: 'Not cosigned' },

  'issuer.problem.code': { 'zh-CN': '错误代码', en: 'Error code' },
  'issuer.problem.detail': { 'zh-CN': '技术详情', en: 'Technical details' },
  'error.ERR_ISSUER_UNREACHABLE': {
    'zh-CN': '无法连接签发服务。请确认系统正在运行。',
    en: 'The issuer service cannot be reached. Check that the system is running.',
  },
  'error.ERR_ISSUER_FORBIDDEN': {
    'zh-CN': '签发服务拒绝了本控制台：它只接受本机上已配置的控制台。',
    en: 'The issuer service refused this console: it answers only the console configured on this machine.',
  },
  'error.ERR_ISSUER_BAD_REQUEST': { 'zh-CN': '签发服务无法理解这个请求。', en: 'The issuer service did not understand the request.' },
  'error.ERR_ISSUER_NOT_FOUND': { 'zh-CN': '签发服务没有这项功能。', en: 'The issuer service has no such function.' },
  'error.ERR_ISSUER_UNKNOWN_VCT': { 'zh-CN': '该机构不签发这类证件。', en: 'This office does not issue that type of credential.' },
  'error.ERR_ISSUER_CLAIMS_INVALID': {
    'zh-CN': '填写的信息不符合这类证件的要求。',
    en: 'The details do not fit this type of credential.',
  },
  'error.ERR_ISSUER_UNKNOWN_CREDENTIAL': { 'zh-CN': '找不到这个证件。', en: 'There is no such credential.' },
  'error.ERR_ISSUER_CREDENTIAL_STATE': {
    'zh-CN': '证件当前的状态不允许这项操作。',
    en: "The credential's current status does not allow this.",
  },
  'error.ERR_ISSUER_CAPACITY': { 'zh-CN': '状态列表已满，无法再签发证件。', en: 'The status lists are full: no more credentials can be issued.' },
  'error.ERR_ISSUER_LEDGER': {
    'zh-CN': '公共账本拒绝了条目或无法连接；未发布的列表可以稍后重试。',
    en: 'The public ledger refused the entry or could not be reached; lists not published can be retried later.',
  },
  'error.ERR_ISSUER_STORAGE': { 'zh-CN': '签发服务无法保存，未作任何更改。', en: 'The issuer service could not save; nothing changed.' },
  'error.ERR_ISSUER_LOCKED': { 'zh-CN': '另一个进程正在使用签发服务的数据。', en: "Another process holds the issuer service's data." },
  'error.ERR_ISSUER_CONFIG': { 'zh-CN': '签发服务的配置有误。', en: 'The issuer service is misconfigured.' },
  'error.ERR_ISSUER_UNAUTHENTICATED': {
    'zh-CN': '未登录，或登录未通过核验。请用通行密钥登录。',
    en: 'You are not signed in, or the sign-in did not verify. Sign in with your passkey.',
  },
  'error.ERR_ISSUER_ROLE': { 'zh-CN': '你的角色不能执行这项操作，请联系主管。', en: 'Your role does not allow this. Ask a supervisor.' },
  'error.ERR_ISSUER_ENROLMENT': {
    'zh-CN': '登记链接无效、已使用或已过期。请向主管索取新的链接。',
    en: 'This enrolment link is unknown, already used or expired. Ask a supervisor for a new one.',
  },
  'error.ERR_ISSUER_RATE_LIMITED': {
    'zh-CN': '请求过于频繁，请稍后再试。',
    en: 'Too many attempts. Wait a moment and try again.',
  },
  'error.ERR_ISSUER_PASSKEY': {
    'zh-CN': '通行密钥操作未完成（已取消、超时，或本设备上没有本机构的通行密钥）。',
    en: 'The passkey step did not complete (cancelled, timed out, or no passkey of this office on this device).',
  },
} as const satisfies Record<string, Entry>

export type IssuerKey = keyof typeof issuerStrings

/** Every code of the issuer's service (its admin API answers with these, and the console's client with ERR_ISSUER_UNREACHABLE). */
export type IssuerCode = CodesWithPrefix<'ERR_ISSUER_'>

/**
 * The text of every code the console can meet from its service: total, so a new ERR_ISSUER_
 * code without a text here is a type error. The shared HTTP layer's codes have the shell's
 * texts (text.ts); anything else is named by `error.unknown` and its code.
 */
export const ISSUER_ERROR_TEXT: Readonly<Record<IssuerCode, IssuerKey>> = {
  ERR_ISSUER_UNREACHABLE: 'error.ERR_ISSUER_UNREACHABLE',
  ERR_ISSUER_FORBIDDEN: 'error.ERR_ISSUER_FORBIDDEN',
  ERR_ISSUER_BAD_REQUEST: 'error.ERR_ISSUER_BAD_REQUEST',
  ERR_ISSUER_NOT_FOUND: 'error.ERR_ISSUER_NOT_FOUND',
  ERR_ISSUER_UNKNOWN_VCT: 'error.ERR_ISSUER_UNKNOWN_VCT',
  ERR_ISSUER_CLAIMS_INVALID: 'error.ERR_ISSUER_CLAIMS_INVALID',
  ERR_ISSUER_UNKNOWN_CREDENTIAL: 'error.ERR_ISSUER_UNKNOWN_CREDENTIAL',
  ERR_ISSUER_CREDENTIAL_STATE: 'error.ERR_ISSUER_CREDENTIAL_STATE',
  ERR_ISSUER_CAPACITY: 'error.ERR_ISSUER_CAPACITY',
  ERR_ISSUER_LEDGER: 'error.ERR_ISSUER_LEDGER',
  ERR_ISSUER_STORAGE: 'error.ERR_ISSUER_STORAGE',
  ERR_ISSUER_LOCKED: 'error.ERR_ISSUER_LOCKED',
  ERR_ISSUER_CONFIG: 'error.ERR_ISSUER_CONFIG',
  ERR_ISSUER_UNAUTHENTICATED: 'error.ERR_ISSUER_UNAUTHENTICATED',
  ERR_ISSUER_ROLE: 'error.ERR_ISSUER_ROLE',
  ERR_ISSUER_ENROLMENT: 'error.ERR_ISSUER_ENROLMENT',
  ERR_ISSUER_PASSKEY: 'error.ERR_ISSUER_PASSKEY',
  ERR_ISSUER_RATE_LIMITED: 'error.ERR_ISSUER_RATE_LIMITED',
}

/** The text of `code`, or null when the console has none (the caller names it by `error.unknown` and its code). */
export function issuerErrorKey(code: ErrorCode): IssuerKey | null {
  return Object.hasOwn(ISSUER_ERROR_TEXT, code) ? ISSUER_ERROR_TEXT[code as IssuerCode] : null
}
