"""What the rules and the use cases say to a person, in Chinese (the clerks' own terms) and English.

One table, key -> (中文, English). A refusal or an outcome carries its key and parameters
(``Words``); the entrypoint that shows it (the desk, the command line's error handler, the browser
desk) says it in the operator's language with ``speak``. The screens' own words are in
``stationdesk.tui.i18n.LABELS``, looked up through the same ``tr``; a test keeps the two key sets apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from string import Formatter
from typing import Any, NamedTuple


class Term(NamedTuple):
    """A word that is a parameter: a status, a kind, a field, in both languages."""

    zh: str
    en: str


class Words(str):
    """A message for a person: a catalogue key and its parameters. As a ``str`` it is the Chinese
    text (for the admin's log and for code that only passes it on); ``say(lang)`` says it in a
    language. Parameters may be Words, Terms, enums with ``label``/``label_en``, exceptions that
    carry Words, and lists of them."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Words:
        made = super().__new__(cls, say(key, "zh", **params))
        made.key, made.params = key, params
        return made

    def say(self, lang: str) -> str:
        return say(self.key, lang, **self.params)

    @staticmethod
    def field(name: str) -> Words | str:
        """An order field by its name (sender_phone), as words."""
        return Words(f"field.{name}") if f"field.{name}" in MESSAGES else name

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (a worker's result) keep their key
        return (_rebuild, (self.key, self.params))


def _rebuild(key: str, params: dict[str, Any]) -> Words:
    return Words(key, **params)


def say(key: str, lang: str, /, **params: Any) -> str:
    """The words for ``key`` in ``lang`` with ``params`` filled in, each one said in ``lang`` too."""
    zh, en = MESSAGES[key]
    text = plural(en, params) if lang == "en" else zh
    # numbers stay numbers, so that a format such as {n:,} applies to them
    return text.format(**{k: v if type(v) in (int, float) else word(v, lang) for k, v in params.items()}) if params else text


_ONE_OR_MANY = re.compile(r"\{(\w+)\|([^|{}]*)\|([^{}]*)\}")


def plural(text: str, params: Mapping[str, Any]) -> str:
    """English says one and many apart: ``{n|order|orders}`` is "order" when ``n`` is 1, else
    "orders" (Chinese needs no such mark: 1 单, 3 单)."""
    if "|" not in text:
        return text
    return _ONE_OR_MANY.sub(lambda m: m[2] if params.get(m[1]) in (1, "1") else m[3], text)


def word(value: Any, lang: str) -> str:
    """One parameter in ``lang``."""
    if isinstance(value, Words):
        return value.say(lang)
    if isinstance(value, Term):
        return value.en if lang == "en" else value.zh
    if isinstance(value, BaseException):
        return speak(value, lang)
    if isinstance(value, Enum) and hasattr(value, "label"):
        return str(getattr(value, "label_en", value.value) if lang == "en" else value.label)
    if isinstance(value, (list, tuple)):
        return ("; " if any(isinstance(v, (BaseException, Words)) for v in value) else ", ").join(
            word(v, lang) for v in value) or "-"
    return str(value)


def speak(thing: Any, lang: str) -> str:
    """What a refusal, an outcome or a warning says in ``lang``: its Words when it has them (an
    exception keeps them in ``words``), else its text as it is (a driver's or the system's own)."""
    words = thing if isinstance(thing, Words) else getattr(thing, "words", None)
    if isinstance(words, Words):
        return words.say(lang)
    return str(thing)


class Refusal(Exception):
    """An exception that says its message with Words: ``Refusal(key, **params)``, or ``Refusal(words)``.
    ``str(err)`` is the Chinese text; ``words`` says it in either language."""

    words: Words | None = None

    def __init__(self, message: str = "", /, **params: Any) -> None:
        if isinstance(message, Words):
            self.words = message
        elif message in MESSAGES:
            self.words = Words(message, **params)
        super().__init__(str(self.words) if self.words is not None else message)


def lang_of(value: object) -> str:
    """'en' or 'zh' (the default) from a config value."""
    return "en" if value == "en" else "zh"


MESSAGES: dict[str, tuple[str, str]] = {
    "note.prefix": ("注意", "Note"),
}
MESSAGES.update({
    # orders and their statuses
    "err.order": ("订单 {ref}: {what}", "Order {ref}: {what}"),
    "error.transition": ("订单 {ref}: 当前状态「{status}」不能执行「{action}」(可执行的状态: {allowed})",
                         "Order {ref}: status '{status}' does not allow '{action}' (allowed from: {allowed})"),
    # values a person or a feed gives
    "err.waybill_empty": ("运单号不能为空", "the waybill number is empty"),
    "err.waybill_format": ("运单号 '{number}' 格式不对, 应为{form}", "waybill number '{number}' is not {form}"),
    "err.too_long": ("过长: {n} 字, 最多 {limit} 字", "too long: {n} characters, at most {limit}"),
    "err.not_text": ("应为文本, 这里是{kind}", "expected text, got {kind}"),
    "err.time_range": ("时间超出范围: 应在 {first} 至 {last} 之间", "a time must lie between {first} and {last}"),
    "err.unknown_station": ("网点代码 '{code}' 不在网点目录中", "station code '{code}' is not in the directory"),
    "err.unknown_reason": ("原因代码 '{code}' 无效; 可用的原因: {valid}", "reason '{code}' is not known; the reasons: {valid}"),
    "err.other_needs_note": ("原因为「其他」时必须填写说明", "the reason 'other' needs a note"),
    "err.note_too_long": ("说明过长: {n} 字, 最多 {limit} 字", "the note is too long: {n} characters, at most {limit}"),
    "err.capacity_excuse": ("说明「{said}」是网点运力理由, 不是真实的失败原因, 总部按虚假原因处罚",
                            "'{said}' is a station-capacity excuse, not a true reason: head office fines it as a false reason"),
    "err.not_one_of": ("{what} '{value}' 无效; 可选: {valid}", "{what} '{value}' is not known; one of: {valid}"),
    "err.field_required": ("{what} 不能为空", "{what} is required"),
    "err.field_too_long": ("{what} 过长: {n} 字, 最多 {limit} 字", "{what} is too long: {n} characters, at most {limit}"),
    "err.not_channel": ("'{value}' 不是 线上/线下", "'{value}' is not online or offline"),
    "err.not_business_type": ("'{value}' 不是已知业务类型 (我要寄快递 或 在线下单)",
                              "'{value}' is not a business type (send_parcel or online_order)"),
    "err.time_too_long": ("不是 ISO 8601 时间: {n} 字, 过长", "not an ISO 8601 time: {n} characters is too long"),
    "err.not_time": ("'{value}' 不是 ISO 8601 时间 (例如 2026-11-23T09:30:00+08:00)",
                     "'{value}' is not an ISO 8601 time (e.g. 2026-11-23T09:30:00+08:00)"),
    "err.no_offset": ("'{value}' 没有时区偏移 (例如 +08:00)", "'{value}' has no offset (add one such as +08:00)"),
    "err.not_phone": ("不是电话号码 (数字, 空格, 横线, 可加 +)", "not a phone number (digits, spaces, dashes, optional +)"),
    "err.phone_digits": ("电话号码应为 7-15 位数字, 这里是 {n} 位", "a phone number has 7 to 15 digits, this one {n}"),
    "err.not_bool": ("'{value}' 不是 是/否", "'{value}' is not yes/no (true/false, 1/0)"),
    "err.logistics_empty": ("物流号不能为空", "the logistics number is required"),
    "err.not_logistics": ("'{value}' 不是物流号 (4-64 位字母, 数字, _ 或 -)",
                          "'{value}' is not a logistics number (4-64 letters, digits, _ or -)"),
    "err.required": ("不能为空", "required"),
    # people and their rights
    "err.not_permitted": ("权限不足: {role}不能使用「{permission}」, 需要{need}或以上",
                          "not permitted: the role {role} may not use {permission}; it needs {need} or above"),
    "err.unknown_role": ("角色 '{role}' 未知 (可选: {valid})", "role '{role}' is not known (one of: {valid})"),
    "err.password_short": ("密码至少 {n} 个字符", "a password needs at least {n} characters"),
    "err.wrong_login": ("登录失败: 用户名或密码错误, 或账号因连续 {n} 次失败已锁定 {minutes} 分钟",
                        "Log-in failed: wrong name or password, or the account is locked for {minutes} {minutes|minute|minutes} "
                        "after {n} failures"),
    "err.locked": ("账号已锁定: 连续 {n} 次登录失败, {until} 后再试", "locked after {n} failed {n|log-in|log-ins} until {until}"),
})
MESSAGES.update({
    # accept, pick up, transfer, scan
    "err.out_of_area": ("订单 {ref}: 寄件区县「{district}」不在本网点服务范围, {where}; 接非本网点订单会被考核",
                        "Order {ref}: district {district} is outside this station's area, {where}; accepting "
                        "another station's order is fined"),
    "err.transfer_to": ("应转单至 {code}", "transfer it to {code}"),
    "err.transfer_it": ("请转单", "transfer it"),
    "err.none_selected": ("没有选择订单", "No orders selected"),
    "err.batch_too_big": ("一次最多批量接单 {limit} 单, 选择了 {n} 单", "A batch takes at most {limit} {limit|order|orders}; {n} {n|is|are} selected"),
    "err.batch_more": (" (另有 {n} 单)", " ({n} more)"),
    "err.batch_refused": ("批量接单未执行, 没有订单被修改 ({n} 单不能接单): {problems}{more}",
                          "Batch accept not done, no order changed ({n} cannot be accepted): {problems}{more}"),
    "done.accepted": ("订单 {ref} 接单成功", "Order {ref} accepted"),
    "done.batch_accepted": ("批量接单成功: {n} 单", "Batch accepted: {n} {n|order|orders}"),
    "warn.remind_waybill": ("请提醒客户提供正确的运单号", "Remind the customer to give the correct waybill number"),
    "err.waybill_used": ("订单 {ref}: 运单号 {waybill} 已用于订单 {other}", "Order {ref}: waybill {waybill} is already used by order {other}"),
    "err.waybill_differs": ("订单 {ref}: 输入的运单号 {given} 与订单上的 {existing} 不一致; 虚假运单号罚款 500 元. "
                            "如客户更换了运单, 请先更正客户信息",
                            "Order {ref}: waybill {given} differs from the order's {existing}; a false waybill is "
                            "fined 500 yuan. If the customer changed it, correct the order first"),
    "err.waybill_needed": ("订单 {ref}: 揽件确认需要运单号", "Order {ref}: the pickup needs its waybill number"),
    "done.picked_up_no_waybill": ("订单 {ref} 当前记录揽件成功, 待客户提供运单号",
                                  "Order {ref} picked up; waiting for its waybill number"),
    "done.picked_up": ("订单 {ref} 当前记录揽件成功, 运单号 {waybill}", "Order {ref} picked up, waybill {waybill}"),
    "scan.said": ("{waybill}: {what}", "{waybill}: {what}"),
    "scan.bad_form": ("运单号格式不对, 应为{form}", "not a waybill number: it is {form}"),
    "scan.unknown": ("没有该运单号的订单", "no order has this waybill number"),
    "scan.cancelled": ("订单 {ref} 已撤单, 不能揽收", "order {ref} is cancelled: no pickup"),
    "scan.twice": ("订单 {ref} 已扫描", "order {ref} is already scanned"),
    "scan.status": ("订单 {ref} 状态「{status}」不能揽收扫描", "order {ref} is {status}: no pickup scan"),
    "scan.picked_up": ("订单 {ref} 揽收成功", "order {ref} picked up"),
    "scan.supplementary": ("订单 {ref} 补扫描成功", "order {ref} supplementary scan done"),
    "err.transfer_target": ("订单 {ref}: 转单目标 {why}", "Order {ref}: transfer target: {why}"),
    "err.transfer_self": ("不能转单给本网点 {code}", "Cannot transfer to this station ({code})"),
    "warn.wrong_transfer": ("区县「{district}」按目录属于 {code} {name}, 转错网点会被考核",
                            "By the directory {district} belongs to {code} {name}: a wrong transfer is fined"),
    "done.transferred": ("订单 {ref} 已转单至 {code} {name}", "Order {ref} transferred to {code} {name}"),
})
MESSAGES.update({
    # order fields, as a message names them
    "field.logistics_no": ("物流号", "logistics number"),
    "field.waybill_no": ("运单号", "waybill number"),
    "field.source": ("数据来源", "source"),
    "field.channel": ("线上/线下", "online/offline"),
    "field.business_type": ("业务类型", "business type"),
    "field.order_time": ("下单时间", "order time"),
    "field.sender_name": ("寄件人", "sender"),
    "field.sender_phone": ("电话", "phone"),
    "field.sender_province": ("省", "province"),
    "field.sender_city": ("市", "city"),
    "field.sender_district": ("区县", "district"),
    "field.sender_address": ("地址", "address"),
    "field.note": ("需求描述", "request note"),
    "field.goods": ("物品", "goods"),
    "field.dispatch_time": ("分件时间", "dispatch time"),
    "field.dispatch_operator": ("分件人", "dispatcher"),
    "field.cancelled": ("撤单", "cancelled"),
    # duplicates, cancellations, follow-ups, appeals, failures, corrections
    "dup.contact_first": ("先联系客户确认", "The earlier order is already processed: contact the customer"),
    "dup.fail_it": ("可按重复下单接单失败并告知客户", "Fail it as a duplicate and tell the customer"),
    "err.not_flagged_fail": ("订单 {ref}: 未标记为重复下单; 请用接单失败", "Order {ref} is not flagged as a duplicate: fail its acceptance instead"),
    "err.not_flagged": ("订单 {ref}: 没有重复下单标记", "Order {ref} is not flagged as a duplicate"),
    "done.not_duplicate": ("订单 {ref}: 已取消重复下单标记", "Order {ref}: not a duplicate, flag cleared"),
    "done.complaint": ("订单 {ref}: 投诉 #{id}「{category}」已登记, {when} 前处理完毕 (48 小时)",
                       "Order {ref}: complaint #{id} ({category}) recorded; to close by {when} (48 hours)"),
    "err.no_complaint": ("投诉 #{id} 不存在", "No complaint #{id}"),
    "err.complaint_closed": ("投诉 #{id} 已关闭", "Complaint #{id} is already closed"),
    "done.complaint_closed": ("投诉 #{id} (订单 {ref}) 已关闭", "Complaint #{id} (order {ref}) closed"),
    "done.complaint_closed_late": ("投诉 #{id} (订单 {ref}) 已关闭 (超过 48 小时)", "Complaint #{id} (order {ref}) closed (after 48 hours)"),
    "warn.complaint_late": ("投诉超过 48 小时才关闭", "The complaint was closed after the 48-hour limit"),
    "done.cancelled": ("订单 {ref} 已撤单", "Order {ref} cancelled"),
    "err.cancel_handled_already": ("订单 {ref}: 已做撤单处理", "Order {ref}: the cancellation is already handled"),
    "done.cancel_handled": ("订单 {ref} 已做撤单处理", "Order {ref}: cancellation handled"),
    "err.exception_not_picked": ("订单 {ref}: 状态「{status}」, 包裹尚未揽收, 不能登记物流异常",
                                 "Order {ref} is {status}: the parcel is not picked up, so no logistics exception"),
    "err.exception_open": ("订单 {ref}: 已有未处理的物流异常", "Order {ref} already has an open logistics exception"),
    "err.no_open_exception": ("订单 {ref}: 没有未处理的物流异常", "Order {ref} has no open logistics exception"),
    "done.exception": ("订单 {ref}: 物流异常「{kind}」已登记, 请告知客户", "Order {ref}: logistics exception ({kind}) recorded; tell the customer"),
    "done.contacted": ("订单 {ref}: 已联系客户", "Order {ref}: customer contacted"),
    "done.exception_resolved": ("订单 {ref}: 物流异常已处理: {outcome}", "Order {ref}: exception resolved: {outcome}"),
    "err.unknown_kind": ("违规类型 '{kind}' 不存在 (可选: {valid})", "No violation kind '{kind}' (one of: {valid})"),
    "err.appeal_note": ("申诉说明: {why}", "The appeal's note: {why}"),
    "err.appeal_none": ("订单 {ref}: 没有「{kind}」违规, 无需申诉", "Order {ref} has no '{kind}' violation to appeal"),
    "err.appeal_twice": ("订单 {ref}: 「{kind}」已申诉, 不能重复申诉", "Order {ref}: '{kind}' is already appealed"),
    "err.appeal_no_notice": ("订单 {ref}: 「{kind}」尚未收到总部处罚通知, 收到通知后 3 天内可申诉",
                             "Order {ref}: '{kind}' is not in a penalty notice yet: appeal within 3 days of the notice"),
    "err.appeal_state": ("订单 {ref}: 「{kind}」状态为「{state}」, 不能申诉", "Order {ref}: '{kind}' is {state}: no appeal"),
    "err.appeal_closed": ("订单 {ref}: 「{kind}」处罚通知的申诉期 3 天已于 {until} 结束, 不能再申诉",
                          "Order {ref}: the 3 days to appeal '{kind}' ended at {until}"),
    "done.appealed": ("订单 {ref}: 「{kind}」已申诉 (罚款 {fine} 元)", "Order {ref}: '{kind}' appealed (fine {fine} yuan)"),
    "done.failed": ("订单 {ref} {status}: {reason}", "Order {ref} {status}: {reason}"),
    "err.not_correctable": ("订单 {ref}: 不能更正字段 {fields} (可更正: {valid})", "Order {ref}: cannot correct {fields} (correctable: {valid})"),
    "err.order_field": ("订单 {ref}: {field}: {why}", "Order {ref}: {field}: {why}"),
    "err.nothing_changed": ("订单 {ref}: 没有需要更正的内容", "Order {ref}: nothing changed"),
    "done.corrected": ("订单 {ref} 客户信息已更正: {fields}", "Order {ref}: customer details corrected: {fields}"),
})
MESSAGES.update({
    # finding orders, and changes made meanwhile elsewhere
    "err.no_order_id": ("订单 id {id} 不存在", "No order with id {id}"),
    "err.not_a_number": ("订单号 '{ref}' 不是物流号或运单号", "'{ref}' is not a logistics or waybill number"),
    "err.no_order": ("订单 {ref}: 找不到该物流号或运单号", "Order {ref}: no order has this logistics or waybill number"),
    "err.ambiguous": ("订单 {ref}: 该号码对应 {n} 个订单 (数据来源: {sources}); 请用运单号或在列表中选择",
                      "Order {ref}: {n} orders have this number (sources: {sources}); use the waybill number or pick it in a list"),
    "err.no_orders": ("找不到订单: {refs}", "No such orders: {refs}"),
    "err.selected_twice": ("同一订单重复选择: {refs}", "Selected twice: {refs}"),
    "err.concurrent": ("订单 {refs} 已被其他终端修改, 本次操作未执行, 请刷新后重试",
                       "Order {refs} was changed in another terminal; nothing was done: refresh and try again"),
    # accounts
    "err.name_required": ("需要操作员姓名", "An operator name is required"),
    "err.name_too_long": ("操作员姓名最多 {limit} 个字符", "A name has at most {limit} characters"),
    "err.admin_sign_in": ("需要以管理员账号登录 (设置 STATIONDESK_OPERATOR 和 STATIONDESK_PASSWORD)",
                          "Sign in as an admin first (set STATIONDESK_OPERATOR and STATIONDESK_PASSWORD)"),
    "err.first_admin": ("第一个账号必须是管理员 (stationdesk user add NAME --role admin)",
                        "The first account must be an admin (stationdesk user add NAME --role admin)"),
    "err.account_exists": ("账号 {name} 已存在", "An account named {name} exists"),
    "err.old_password": ("原密码错误", "The old password is wrong"),
    "err.no_account": ("账号 {name} 不存在", "No account named {name}"),
    "err.last_admin": ("{name} 是最后一个管理员, 不能停用", "{name} is the last enabled admin and cannot be disabled"),
    "err.account_disabled": ("账号 {name} 已停用, 请联系管理员", "The account {name} is disabled; ask an admin"),
    "err.full_phones_operator": ("显示完整电话需要操作员 (--operator NAME 或 STATIONDESK_OPERATOR)",
                                 "Full phones need an operator (--operator NAME or STATIONDESK_OPERATOR)"),
})
MESSAGES.update({
    # the command line's own refusals and words
    "cli.time_out_of_range": ("数据库中有超出范围的时间, 无法显示或计算; 运行 `stationdesk check` 找出订单",
                              "A stored time is out of range; run `stationdesk check` to name the orders"),
    "cli.sign_in": ("需要登录: 本网点已有操作员账号 (设置 STATIONDESK_OPERATOR 和 STATIONDESK_PASSWORD)",
                    "Sign in: this station has accounts (set STATIONDESK_OPERATOR and STATIONDESK_PASSWORD)"),
    "cli.password_prompt": ("{name} 的密码: ", "{name}'s password: "),
    "cli.password_env": ("需要密码: 设置 {env} (没有终端可以输入)", "A password is needed: set {env} (no terminal to ask on)"),
    "cli.operator": ("需要操作员: 用 --operator NAME 或设置 STATIONDESK_OPERATOR (每个操作都记录操作员)",
                     "Who acts? Pass --operator NAME or set STATIONDESK_OPERATOR (every action records who did it)"),
    "cli.scan_refused": ("拒绝: {what}", "refused: {what}"),
    "cli.scan_counts": ("扫描: 记录 {ok}, 拒绝 {refused}", "scans: {ok} recorded, {refused} refused"),
    "cli.backup_what": ("备份需要 PATH 或 --daily 二选一", "Give a PATH or --daily, one of the two"),
    "cli.passwords_differ": ("两次输入的密码不一致, 没有修改", "The two passwords differ; nothing was changed"),
    "cli.whose_password": ("谁的密码? 请给出 NAME, 或以 STATIONDESK_OPERATOR 登录",
                           "Whose password? Give NAME, or sign in with STATIONDESK_OPERATOR"),
    "cli.serve_accounts": ("浏览器登录需要操作员账号: 先用 `stationdesk user add NAME --role admin` 添加管理员",
                           "The browser desk signs people in: add an admin first with `stationdesk user add NAME --role admin`"),
    "cli.no_hq": ("没有总部地址: 用 --hq URL 或在 config.toml 的 [sync] url 填写 (本网点离线工作)",
                  "No head office address: pass --hq URL or set [sync] url in config.toml (this station works offline)"),
})
MESSAGES.update({
    # the database file
    "err.db_busy": ("{path}: 数据库正被另一个终端写入, {seconds} 秒内未能获得写锁, 操作未执行, 请重试",
                    "{path}: another terminal is writing; no write lock within {seconds} s, nothing was changed: try again"),
    "err.disk_full": ("{path}: 磁盘已满或无法写入, 操作未执行 ({why})", "{path}: disk full or I/O error, nothing was changed ({why})"),
    "err.not_a_station_db": ("{path}: 不是 stationdesk 数据库, 或尚未初始化 (运行 `stationdesk init --station CODE`)",
                             "{path}: not a stationdesk database, or not initialised (run `stationdesk init --station CODE`)"),
    "err.newer_schema": ("{path}: 数据库版本 {rev} 比本程序新 ({head}); 请升级 stationdesk",
                         "{path}: schema revision {rev} is newer than this stationdesk knows ({head}); upgrade stationdesk"),
    "err.no_db": ("{path}: 数据库不存在 (运行 `stationdesk init --station CODE --db {path}` 或 `stationdesk demo`)",
                  "{path}: no database here (run `stationdesk init --station CODE --db {path}` or `stationdesk demo`)"),
    "err.no_station_code": ("{path}: 没有网点代码 (运行 `stationdesk init --station CODE`)",
                            "{path}: no station code (run `stationdesk init --station CODE`)"),
    "err.import_from_line": ("从第 {line} 行起未导入", "nothing from line {line} on"),
    "err.import_rest": ("未导入其余行", "the rest not imported"),
    "err.import_stopped": ("{path}: 导入中止, 已导入 {n} 单 (整批), {where}; 问题解决后重新导入同一文件即可: {why}",
                           "{path}: import stopped after {n} {n|order|orders} (whole batches), {where}; once fixed, re-running "
                           "the file is safe: {why}"),
})
MESSAGES.update({
    # backups and restores
    "err.backup_disk_full": ("{path}: 磁盘已满或无法写入, {doing}未完成, 原数据库未受影响 ({why})",
                             "{path}: disk full or I/O error, {doing} did not finish; the database is unharmed ({why})"),
    "err.backup_failed": ("{path}: {doing}失败 ({why})", "{path}: {doing} failed ({why})"),
    "err.backup_onto_itself": ("{path}: 不能备份到数据库自身", "{path}: that is the live database"),
    "err.backup_exists": ("{path}: 文件已存在, 备份不会覆盖它", "{path}: the file exists; a backup never replaces one (choose another name)"),
    "err.no_folder": ("{path}: 目录不存在", "{path}: no such folder"),
    "err.backup_claimed": ("{path}: 另一个终端正在写这个备份", "{path}: another terminal is writing this backup now"),
    "err.backup_write": ("{path}: 备份写入失败, 原数据库未受影响 ({why})", "{path}: the backup could not be written; the database is unharmed ({why})"),
    "err.backup_check": ("{path}: 备份校验未通过, 未保留: {problems}; {advice}", "{path}: the copy failed its check and was not kept: {problems}; {advice}"),
    "err.restore_check": ("{path}: 备份校验未通过, 未恢复: {problems}", "{path}: the backup failed its check; nothing restored: {problems}"),
    "err.restore_other_station": ("{path}: 这是网点 {theirs} 的备份, 当前数据库属于网点 {ours}, 未恢复 (确需如此请加 --other-station)",
                                  "{path}: a backup of station {theirs}, this database is station {ours}; nothing restored "
                                  "(pass --other-station if that is intended)"),
    "err.restore_set_aside": ("{path}: 无法移走损坏的数据库, 未恢复 ({why})", "{path}: cannot set the damaged file aside; nothing restored ({why})"),
})
MESSAGES.update({
    "refund.paid": ("已返还", "paid back"),
    "refund.waiting": ("待下月无违规", "if next month is clean"),
})
MESSAGES.update({
    "alert.check_failed": ("未接订单提醒检查失败, 将按时重试: {why}", "The unaccepted-order check failed and will run again: {why}"),
})
MESSAGES.update({
    # feeds, the station directory, the demo orders
    "err.feed_empty": ("{name}: 文件为空", "{name}: the file is empty"),
    "err.feed_header": ("{name}:1: 表头无法读取: {why}", "{name}:1: cannot read the header: {why}"),
    "err.feed_missing": ("{name}:1: 缺少必需列 {missing} (必需: {need})", "{name}:1: missing columns {missing} (the header needs {need})"),
    "err.feed_unknown": ("{name}:1: 未知列 {unknown} (已知的列: {known})", "{name}:1: unknown columns {unknown} (known columns: {known})"),
    "err.directory_columns": ("{name}: 缺少列 {missing} (需要 {need})", "{name}: missing columns {missing} (need {need})"),
    "err.directory_empty": ("{name}: 网点目录为空", "{name}: the station directory is empty"),
    "err.datacenter_desk": ("{code} 是数据中心, 不是网点", "{code} is a data center: it cannot run a station desk"),
    "err.other_station_db": ("{path}: 该数据库属于网点 {existing}, 不能改为 {code}", "{path}: this database is station {existing}'s, not {code}'s"),
    "err.damaged_advice": ("数据库文件已损坏: 运行 `stationdesk check` 查看, 再由管理员 `stationdesk restore BACKUP` 恢复",
                           "the database file is damaged: run `stationdesk check`, then an admin runs "
                           "`stationdesk restore BACKUP`"),
    "err.damaged_file": ("{advice}: {detail}", "{advice}: {detail}"),
    "err.seed_meddled": ("{path}: 另一个终端在写入期间改动了数据库, 演示订单写入已停止 (已写入的订单各有完整历史)",
                         "{path}: another terminal wrote to the database during the seed; it stopped after the "
                         "orders written so far, each with its whole history"),
    "err.seed_worker": ("演示订单生成进程停止了: {what}; 已写入的订单各有完整历史",
                        "a process building demo orders stopped: {what}; the orders written so far each have their "
                        "whole history"),
    "err.seed_real_db": ("{path}: 这是网点的真实数据库 ({orders} 单, {accounts} 个账号), 不能加入演示订单 "
                         "(只用于演示数据库: `stationdesk demo --db PATH`, 或空数据库)",
                         "{path}: a station's real database ({orders} {orders|order|orders}, {accounts} {accounts|account|accounts}): no demo orders "
                         "(seed runs only on a demo database: `stationdesk demo --db PATH`, or an empty one)"),
})
MESSAGES.update({
    "cli.weak_hash": ("注意: 账号 {name} 的密码散列强度不足 ({cost}; 应为 {full}); 下次登录时自动加强, 或由管理员 "
                      "`stationdesk user passwd` 重设",
                      "Note: the password hash of {name} is weak ({cost}; full cost is {full}); it is re-hashed at the "
                      "next sign-in, or an admin resets it with `stationdesk user passwd`"),
    "cli.open_station": ("注意: 本网点还没有操作员账号, 任何人都可以以任何人的名义操作, 直到 `stationdesk user add NAME --role admin`",
                         "Note: no accounts yet: anyone can act as anyone until `stationdesk user add NAME --role admin`"),
    "cli.damaged_backup": ("注意: 备份已保存, 但它是审计链断开的数据库的副本: {why}; 交主管并报总部, 管理员处理后 "
                           "`stationdesk audit acknowledge`",
                           "Note: the backup is kept, but it copies a database whose records were changed outside "
                           "stationdesk: {why}; tell the supervisor and head office, then an admin runs "
                           "`stationdesk audit acknowledge`"),
    "warn.backup_name": ("{path}: 文件名中的日期无效, 已跳过", "{path}: not a date in the name; left alone"),
})
MESSAGES.update({
    # one row of a feed: what is wrong with it, where (file, line, field) and which order
    "feed.row": ("第 {line} 行{field}{order}: {reason}", "line {line}{field}{order}: {reason}"),
    "feed.field": (", 字段 {field}", ", field {field}"),
    "feed.order": (" (订单 {ref})", " (order {ref})"),
    "feed.utf8_in_gb": ("此行是 UTF-8 编码, 文件是 GB18030", "this line is UTF-8 in a GB18030 file"),
    "feed.bad_byte": ("无效字节: 第 {byte} 字节起不是 {encoding} 编码{hint}", "not {encoding} at byte {byte}{hint}"),
    "feed.looks_gb": ("; 此行像是 GB18030 编码", "; this line looks like GB18030"),
    "feed.line_too_long": ("此行过长: {size} 字节, 最多 {limit}", "line too long: {size} bytes, at most {limit}"),
    "feed.quote_open": ("引号未闭合, 超过 {n} 行", "a quote left open for more than {n} lines"),
    "feed.csv_eof": ("CSV 格式错误: 文件在引号内结束", "not valid CSV: the file ends inside a quote"),
    "feed.csv_error": ("CSV 格式错误: {why}", "not valid CSV: {why}"),
    "feed.columns": ("有 {n} 列, 表头有 {width} 列", "{n} {n|column|columns}, the header has {width}"),
    "feed.not_json": ("不是有效的 JSON, 第 {column} 列: {why}", "not valid JSON at column {column}: {why}"),
    "feed.json_nested": ("JSON 嵌套过深: 每行应为一个平面的 JSON 对象", "JSON nested too deep: a record is one flat object"),
    "feed.json_not_object": ("每行应为一个 JSON 对象", "expected one JSON object per line"),
    "feed.unknown_fields": ("未知字段 {names}", "unknown fields {names}"),
    "feed.unreadable": ("此行无法读取", "this line cannot be read"),
    "feed.cannot_read": ("{name}: 无法读取: {why}", "{name}: cannot read: {why}"),
    "feed.header_csv": ("{name}:1: 表头不是有效的 CSV: {why}", "{name}:1: the header is not valid CSV: {why}"),
    "feed.dispatch_pair": ("分件时间和分件人须同时填写", "dispatch_time and dispatch_operator go together"),
    "feed.time_changed": ("与已收到的订单下单时间 {time} 不同; 下单时间不能由推送更改",
                          "differs from the order time already received, {time}; a feed cannot change it"),
    "feed.waybill_taken": ("运单号 {waybill} 已用于订单 {other}", "waybill {waybill} is already used by order {other}"),
    "feed.waybill_kept": ("订单已有运单号 {waybill}, 推送不能覆盖", "the order already has waybill {waybill}; a feed cannot replace it"),
    "feed.no_cancel": ("订单状态「{status}」不能撤单, 包裹已揽收", "the order is {status}: the parcel is picked up, no cancellation"),
    "feed.no_correct": ("订单状态「{status}」不能再更正信息", "the order is {status}: its details can no longer be corrected"),
    "feed.source_remark": ("物流号前缀 {code} 属于 {named}, 与数据来源 {source} 不符",
                           "the logistics number's code {code} belongs to {named}, not to the source {source}"),
    "feed.no_route": ("区县「{district}」无网点, 目录中也没有数据中心", "no station serves {district} and the directory has no data center"),
    "cli.import_summary": ("{file}: {format}, {encoding}: 导入 {imported}, 更新 {updated}, 撤单 {cancelled}, 未变 {unchanged}, "
                           "拒绝 {rejected}",
                           "{file}: {format}, {encoding}: imported {imported}, updated {updated}, cancelled {cancelled}, "
                           "unchanged {unchanged}, rejected {rejected}"),
    "cli.hq_import_summary": ("{file}: 导入 {imported} ({routed}), 撤单 {cancelled}, 未变 {unchanged}, 拒绝 {rejected}",
                              "{file}: imported {imported} ({routed}), cancelled {cancelled}, unchanged {unchanged}, "
                              "rejected {rejected}"),
    "cli.import_remark": ("{file}: 备注: {what}", "{file}: remark: {what}"),
    "cli.import_duplicates": ("重复下单? {n} 单已标记: `stationdesk orders duplicates`",
                              "Duplicates? {n} {n|order|orders} flagged as likely duplicates: `stationdesk orders duplicates`"),
})
MESSAGES.update({
    # `check`: what it finds, and what to do about it
    "check.version_events": ("订单版本与事件数不符", "an order changed without its event"),
    "check.status_event": ("订单状态与最后事件不符", "an order's status differs from its last event"),
    "check.event_no_op": ("事件没有同步记录", "an event without its outbox op"),
    "check.time_range": ("时间超出范围 (下单时间或分件时间不在 2000..9000 年之间, 无法显示)",
                         "an order time or dispatch time outside 2000..9000 that no screen can show"),
    "check.op_no_event": ("同步记录与事件不符", "an outbox op without its matching event"),
    "check.rule": ("{title}: {n} - {sample}", "{title}: {n} - {sample}"),
    "check.seed_stopped": ("演示数据写入中断: 已写入的订单及其历史完整, 但有 {n} 个索引未建立",
                           "seeding stopped before it finished: the orders written are whole, with their history, "
                           "but {n} {n|index was|indexes were} never built"),
    "check.foreign_keys": ("foreign_key_check: {n} 行指向不存在的行, 例如 {example}",
                           "foreign_key_check: {n} {n|row points|rows point} at missing rows, e.g. {example}"),
    "check.ledger": ("考核台账与订单历史不符: {n} - {sample}", "the audit ledger and the history disagree: {n} - {sample}"),
    "check.head_office": ("总部: {what}", "head office: {what}"),
    "check.events_missing": ("审计链断开: {missing} 条事件缺失 (事件 1..{top} 只有 {count} 条: 有记录在程序之外被删除; "
                             "`stationdesk audit verify` 指出第一条)",
                             "audit chain broken: {missing} {missing|event is|events are} missing (event ids 1..{top} hold "
                             "{count}: rows were deleted outside stationdesk; `stationdesk audit verify` names the first)"),
    "check.versions_sum": ("订单版本之和与事件数不符 (版本之和 {versions}, 事件 {count} 条: 订单或事件在程序之外被改动; "
                           "完整检查会指出订单)",
                           "the orders' versions add up to {versions}, there {count|is|are} {count} {count|event|events}: "
                           "an order or an event was changed outside stationdesk; the full check names the orders"),
    "check.ops_count": ("同步记录数与事件数不符 (同步记录 {ops} 条, 事件 {count} 条; 完整检查会指出)",
                        "{ops} outbox {ops|op|ops} for {count} {count|event|events}; the full check names them"),
    "check.rewritten": ("审计链断开: 事件 {event} 不再是上次检查 ({at}) 时的记录 (上次检查前的历史在程序之外被改写)",
                        "audit chain broken: event id {event} is not the one the last check ({at}) saw: the history "
                        "up to it was rewritten outside stationdesk"),
    "check.damaged": ("文件已损坏 ({why})", "the file is damaged ({why})"),
    "check.cannot_open": ("无法打开 ({why})", "cannot open it ({why})"),
    "check.no_file": ("文件不存在 (`stationdesk init --station CODE` 可新建)",
                      "no such file: `stationdesk init --station CODE` creates one"),
    "check.integrity_advice": ("文件已损坏: 停止使用此数据库, 用最近的备份恢复 (`stationdesk restore BACKUP`; "
                               "`stationdesk backup --daily` 列出每日备份)",
                               "the file is damaged: stop using it and run `stationdesk restore BACKUP`; daily backups "
                               "are listed by `stationdesk backup --daily`"),
    "check.consistency_advice": ("订单与事件/同步记录不一致: 数据库被程序以外的方式改动过, 保留此文件交主管, 用备份恢复",
                                 "orders and their events disagree: the file was changed outside stationdesk; keep it "
                                 "for the supervisor and restore the latest backup"),
    "check.seed_advice": ("演示数据库未写完: 再运行一次 `stationdesk seed` 会先建好索引, 或删除后重建",
                          "an interrupted demo seed: the next `stationdesk seed` on this file builds the indexes first; "
                          "or delete the demo database and seed again"),
    "check.audit_advice": ("审计链断开: 有人在程序之外改动了操作记录; 不要修改此文件, 交主管并报总部, 用备份恢复",
                           "the audit trail was changed outside stationdesk: do not touch the file, report it to the "
                           "supervisor and head office, and restore the latest backup"),
    "check.hq_advice": ("总部保存的操作记录与本机不符, 同步已停止: 不要修改此文件, 交主管并联系总部",
                        "head office holds a different history of this station; syncs stop until head office and the "
                        "supervisor have looked at it"),
    "check.since_last": ("上次{kind} {at}", "the last {kind}, {at}"),
    "check.full": ("完整检查", "full check"),
    "check.quick": ("快速检查", "quick check"),
    "check.window": ("最近 {n:,} 条事件 (还没有记录过检查)", "the last {n:,} {n|event|events}: no check recorded yet"),
    "check.new_events": ("自{since}起新增 {n:,} 条事件", "{n:,} new {n|event|events} since {since}"),
    "check.no_new_events": ("自{since}起没有新事件", "no new events since {since}"),
    "cli.check_ok": ("{path}: 正常 ({orders} 单, {events} 条事件{covered})",
                     "{path}: ok ({orders} {orders|order|orders}, {events} {events|event|events}{covered})"),
    "cli.check_covered": ("; 快速检查: {what}", "; quick: {what}"),
    "cli.check_count": ("{path}: {n} 个问题", "{path}: {n} {n|problem|problems}"),
    "cli.what_to_do": ("处理办法: {what}", "what to do: {what}"),
    "cli.minutes": ("{n:.0f} 分钟", "{n:.0f} min"),
    "cli.seconds": ("{n:.0f} 秒", "{n:.0f} s"),
    "cli.check_estimate": ("{path}: 完整检查约需 {duration} ({size:.1f} GB); `stationdesk check --quick` 只需几秒",
                           "{path}: the full check takes about {duration} ({size:.1f} GB); `stationdesk check --quick` "
                           "takes seconds"),
    # the audit chain and the accounts' chain
    "audit.where": ("事件 {event} (订单 {order}, 版本 {version}, {action})", "event id {event} (order {order}, version {version}, {action})"),
    "audit.where_lost": ("事件 {event} (订单 id {order_id} 不存在, 版本 {version}, {action})",
                         "event id {event} (order id {order_id}: no such order, version {version}, {action})"),
    "audit.missing": ("审计链断开: 事件 {ids} 缺失 (被删除), 位于 {where} 之前", "audit chain broken: event id {ids} missing (deleted), before {where}"),
    "audit.edited": ("审计链断开: {where} 与链不符 (此行被改动或插入, 或其前一行被删除)",
                     "audit chain broken: {where} does not match the chain (this row was edited or inserted, or the one "
                     "before it was removed)"),
    "cli.audit_intact": ("{path}: 审计链完整: {n:,} 条事件", "{path}: audit chain intact: {n:,} {n|event|events}"),
    "cli.no_damage": ("{path}: 没有记录到损坏", "{path}: no damage on record"),
    "cli.damage_acknowledged": ("{path}: 已确认: {what}", "{path}: acknowledged: {what}"),
    "accounts.event_missing": ("账号记录断开: 账号记录 {n} 缺失 (被删除), 位于账号记录 {before} ({name}) 之前",
                               "accounts chain broken: account event {n} missing (deleted), before account event {before} ({name})"),
    "accounts.event_edited": ("账号记录断开: 账号记录 {n} ({name}, {action}) 与链不符 (在程序之外被改动或插入)",
                              "accounts chain broken: account event {n} ({name}, {action}) does not match the chain "
                              "(edited or inserted outside stationdesk)"),
    "accounts.no_record": ("账号 {name} 没有账号记录 (在程序之外添加)", "the account {name} has no account event: added outside stationdesk"),
    "accounts.differs": ("账号 {name} 的{what}与其最后的账号记录 ({event}) 不符 (操作员记录在程序之外被改动)",
                         "the {what} of account {name} differs from its last account event ({event}): the operator row "
                         "was changed outside stationdesk"),
    "accounts.role": ("角色", "role"),
    "accounts.disabled": ("停用状态", "disabled flag"),
    "accounts.password": ("密码", "password"),
    # backups and restores, as the command line reports them
    "backup.no_file": ("{path}: 文件不存在", "{path}: no such file"),
    "backup.cannot_open": ("{path}: 无法打开 ({why})", "{path}: cannot open it ({why})"),
    "backup.not_station_db": ("{path}: 不是 stationdesk 数据库", "{path}: not a station database"),
    "cli.restore_damaged": ("{path}: 数据库已损坏, 以备份中的账号登录", "{path}: the database is damaged: signing in against the backup"),
    "cli.restore_saved": ("当前数据库已另存为 {saved}", "the replaced database was saved as {saved}"),
    "cli.restored": ("{path}: 已恢复 网点 {station}, {n:,} 单 (来自 {backup})", "{path}: restored station {station}, {n:,} {n|order|orders}, from {backup}"),
})
MESSAGES.update({
    # the command line's options, refused before anything is done
    "opt.cannot_read": ("{path}: 无法读取: {why}", "{path}: cannot read: {why}"),
    "opt.cannot_write": ("{option} {path}: 无法写入: {why}", "{option} {path}: cannot write: {why}"),
    "opt.month": ("{option} '{value}': 应为 YYYY-MM", "{option} '{value}': expected YYYY-MM"),
    "opt.month_range": ("{option} '{value}': 月份应为 01-12", "{option} '{value}': month must be 01-12"),
    "opt.week": ("{option} '{value}': 应为日期 YYYY-MM-DD", "{option} '{value}': expected a date YYYY-MM-DD"),
    "opt.date": ("{option} '{value}': 应为 YYYY-MM-DD 或 ISO 日期时间", "{option} '{value}': expected YYYY-MM-DD or an ISO date-time"),
    "opt.from_to": ("--from {start} 不早于 --to {end}", "--from {start} is not before --to {end}"),
    "opt.xlsx_output": ("--format xlsx 需要 --output FILE.xlsx (表格不能写到终端)",
                        "--format xlsx needs --output FILE.xlsx (a spreadsheet is not written to a terminal)"),
    "opt.one_of_two": ("{a} 和 {b} 须二选一", "give exactly one of {a} or {b}"),
    "opt.invalid": ("{option}: {why}", "{option}: {why}"),
    "opt.channel_or_all": ("{option}: {why}; 或 all/全部", "{option}: {why}; or all"),
    "opt.choices": ("{option} '{value}': 可选 {valid}", "{option} '{value}': expected one of {valid}"),
    "opt.cancel": ("{option} '{value}': 可选 all (全部), unhandled (未做撤单处理) 或 handled (已做撤单处理)",
                   "{option} '{value}': expected all, unhandled or handled"),
    "opt.numbers_or_all": ("请给出订单号或 --all-waiting (二者不能同时)", "give order numbers or --all-waiting (not both)"),
    "opt.set": ("{option} '{value}': 应为 field=value", "{option} '{value}': expected field=value"),
    "opt.no_tty": ("桌面需要终端 (标准输入和输出都不是 TTY); 脚本中请用 `orders` 命令",
                   "the desk needs a terminal (stdin and stdout are not a TTY); use the `orders` commands in scripts"),
    "opt.exists": ("{path}: 已存在 (--force 覆盖它; `stationdesk config show` 显示当前配置)",
                   "{path}: exists already (--force replaces it; `stationdesk config show` prints what is in force)"),
    "opt.output_folder": ("{option} {path}: 这是目录, 请给出文件名", "{option} {path}: is a folder; give a file name"),
    "opt.output_parent": ("{option} {path}: 目录 {parent} 不存在", "{option} {path}: folder {parent} does not exist"),
    "opt.bind": ("{option} '{value}': 应为 HOST:PORT, 例如 {example}", "{option} '{value}': expected HOST:PORT, e.g. {example}"),
    "opt.tls_pair": ("--tls-cert 和 --tls-key 须同时给出", "--tls-cert and --tls-key go together"),
    "opt.public_url": ("{option} '{value}': 应为 https://HOST[/PATH]", "{option} '{value}': expected https://HOST[/PATH]"),
    "opt.not_loopback": ("--bind {host}: 不是本机地址; 桌面带有客户资料, 向网络提供需要 --public, 并用 --tls-cert/--tls-key "
                         "或 https 的 --public-url (反向代理)",
                         "--bind {host}: not a loopback address; the desk carries customers' data, so serving it to the "
                         "network needs --public, with --tls-cert/--tls-key or an https --public-url (reverse proxy)"),
    "opt.public_tls": ("--public 需要 TLS: --tls-cert FILE --tls-key FILE, 或由反向代理提供 TLS 的 --public-url https://... "
                       "(见 README)",
                       "--public needs TLS: --tls-cert FILE --tls-key FILE, or --public-url https://... of a reverse "
                       "proxy that terminates TLS (see the README)"),
    "opt.tls_load": ("--tls-cert {cert} / --tls-key {key}: 无法加载: {why}", "--tls-cert {cert} / --tls-key {key}: cannot load: {why}"),
    "opt.appeal_state": ("--state '{value}': 可选 open, upheld, withdrawn 或 refused", "--state '{value}': expected open, upheld, withdrawn or refused"),
})
MESSAGES.update({
    # counts the command line prints after a listing: one and many said apart in English
    "cli.count_line": ("({count}{to})", "({count}{to})"),
    "cli.count_to": (" -> {path}", " -> {path}"),
    "count.orders": ("{n} 单", "{n} {n|order|orders}"),
    "count.unscanned": ("{n} 单未揽收", "{n} unscanned {n|order|orders}"),
    "count.days": ("{n} 天", "{n} {n|day|days}"),
    "count.kinds": ("{n} 类", "{n} {n|kind|kinds}"),
    "count.categories": ("{n} 类", "{n} {n|category|categories}"),
    "count.violations": ("{n} 条违规", "{n} {n|violation|violations}"),
    "count.flagged": ("{n} 单已标记", "{n} flagged"),
    "count.open": ("{n} 件未处理", "{n} open"),
    "count.suspicions": ("新增 {n} 条疑似", "{n} new {n|suspicion|suspicions}"),
    "cli.seeding": ("已写入 {done:,} / {n:,} 单演示订单", "demo orders written: {done:,} of {n:,}"),
    "cli.seeded": ("{path}: 已加入 {n} 单演示订单", "{path}: added {n} demo {n|order|orders}"),
    "cli.creating_demo": ("正在建立演示数据库 {path} ...", "creating demo database {path} ..."),
    "cli.config_written": ("{path}: 已写入; 修改后用 `stationdesk config show` 检查", "{path}: written; edit it, then `stationdesk config show` checks it"),
    "cli.serving": ("stationdesk: 正在 {url} 提供桌面 (Ctrl+C 停止)", "stationdesk: serving the desk on {url} (Ctrl+C stops)"),
})


WIRE_DEPTH = 4  # Words inside Words inside Words...: deeper than any message here nests


def to_wire(value: Any) -> Any:
    """A message as plain JSON, for head office's answers: Words as {"key", "params"}, a Term or a
    labelled enum as {"zh", "en"}, an exception by its Words, numbers as they are, the rest as text."""
    if isinstance(value, Words):
        return {"key": value.key, "params": {k: to_wire(v) for k, v in value.params.items()}}
    said = getattr(value, "words", None) if isinstance(value, BaseException) else None
    if isinstance(said, Words):
        return to_wire(said)
    if isinstance(value, (Term, Enum, list, tuple)):
        return {"zh": word(value, "zh"), "en": word(value, "en")}
    if type(value) in (int, float):
        return value
    return str(value)


def from_wire(data: Any, depth: int = 0) -> Words | None:
    """Words sent by head office, checked before they are trusted: a key this catalogue knows,
    parameters of plain kinds that fill it in both languages; else None (the sender's plain message
    is shown instead)."""
    if depth > WIRE_DEPTH or not isinstance(data, dict) or set(data) != {"key", "params"}:
        return None
    key, raw = data["key"], data["params"]
    if not isinstance(key, str) or key not in MESSAGES or not isinstance(raw, dict) or len(raw) > 20:
        return None
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, dict) and set(value) == {"zh", "en"} and all(isinstance(v, str) for v in value.values()):
            params[name] = Term(value["zh"][:2000], value["en"][:2000])
        elif isinstance(value, dict):
            inner = from_wire(value, depth + 1)
            if inner is None:
                return None
            params[name] = inner
        elif type(value) in (int, float, str):
            params[name] = value[:2000] if isinstance(value, str) else value
        else:
            return None
    zh, en = MESSAGES[key]
    if any(name not in params for text in (zh, plural(en, params)) for _, name, _, _ in Formatter().parse(text) if name):
        return None  # a parameter missing: the words would show their own braces
    try:
        made = Words(key, **params)
        made.say("en")
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):  # parameters that do not fill this key
        return None
    return made
MESSAGES.update({
    # head office: its service's refusals (sent to a station as a key and parameters), its tools' words
    "hq.no_token": ("没有网点凭据 (请求须带 Authorization: Bearer TOKEN)", "no station token: send Authorization: Bearer TOKEN"),
    "hq.token_unknown": ("凭据不存在", "unknown token"),
    "hq.token_revoked": ("网点 {station} 的凭据已吊销", "the token of station {station} was revoked"),
    "hq.bad_token": ("网点凭据无效或已吊销 ({why}); 请向总部申请新凭据",
                     "the station token is not valid or was revoked ({why}); ask head office for a new token"),
    "hq.wrong_station": ("网点凭据属于 {station}, 不能代 {claimed} 同步 (已拒绝并记录)",
                         "the token is station {station}'s: it cannot sync for {claimed} (refused and logged)"),
    "hq.malformed": ("请求格式不对 ({model}): {where}", "malformed request ({model}): {where}"),
    "hq.bad_op": ("网点 {station} 序号 {seq} (op {op}): {why}; 本批全部未执行",
                  "station {station} seq {seq} (op {op}): {why}; nothing of this batch was applied"),
    "hq.seqs_rise": ("同一批内序号须递增", "seqs must rise within a batch"),
    "hq.protocol": ("协议版本不符: 网点 {sent}, 总部 {hq}; 请更新网点的 stationdesk",
                    "protocol versions differ: station {sent}, head office {hq}; update stationdesk at the station"),
    "hq.none_sent": ("(无)", "(none)"),
    "hq.too_large": ("请求超过 {limit} 字节", "the request is over {limit} bytes"),
    "hq.unavailable": ("总部数据库暂时不可用, 请稍后重试", "head office's database is unavailable; retry later"),
    "hq.paging_numbers": ("after 和 limit 应为整数", "after and limit must be whole numbers"),
    "hq.paging_range": ("after 应 >= 0, limit 应 >= 1", "after must be >= 0 and limit >= 1"),
    "hq.gap": ("网点 {station}: 同步序号不连续, 总部期望序号 {expected}, 收到 {seq} (op {op}); 本批全部未执行",
               "station {station}: seqs are not consecutive, head office expects {expected}, got {seq} (op {op}); "
               "nothing of this batch was applied"),
    "hq.op_id_used": ("网点 {station}: op id 已在总部使用 (序号 {first}-{last}): {why}",
                      "station {station}: an op id already used at head office (seqs {first}-{last}): {why}"),
    "hq.op_differs": ("网点 {station} 序号 {seq}: 总部记录的是 op {had}, 网点发来 op {op}; 网点的同步记录与总部不符, 未执行",
                      "station {station} seq {seq}: head office holds op {had}, the station sent op {op}; this station's "
                      "outbox and head office disagree: nothing was applied"),
    "hq.nothing": ("无", "nothing"),
    "hq.unknown_action": ("网点 {station} 序号 {seq}: 未知操作 {action}", "station {station} seq {seq}: unknown action {action}"),
    "hq.no_number": ("网点 {station} 序号 {seq}: 操作没有订单号", "station {station} seq {seq}: an op without an order number"),
    "hq.not_created": ("网点 {station} 序号 {seq}: 订单 {ref} 未能建立", "station {station} seq {seq}: order {ref} could not be created"),
    "hq.already_known": ("订单 {ref}: 总部已有该订单", "order {ref}: head office has it already"),
    "hq.received": ("订单 {ref}: 已收到", "order {ref}: received"),
    "hq.op_label": ("网点 {station} 的「{action}」(序号 {seq})", "station {station}'s {action} (seq {seq})"),
    "hq.unknown_order": ("订单 {ref}: {label} 被拒绝: 总部没有该订单", "order {ref}: {label} rejected: head office has no such order"),
    "hq.transfer_target": ("订单 {ref}: {label}: 转单目标 {to} 不在总部网点目录 (序号 {seq})",
                           "order {ref}: {label}: the transfer target {to} is not in head office's directory (seq {seq})"),
    "hq.synced": ("订单 {ref}: {action} 已同步", "order {ref}: {action} synced"),
    "hq.already_cancelled": ("订单 {ref}: 总部已撤单", "order {ref}: already cancelled at head office"),
    "hq.where_status": ("总部状态「{status}」", "head office's status {status}"),
    "hq.where_moved": ("总部状态「{status}」, 订单已属网点 {station}", "head office's status {status}, the order now at station {station}"),
    "hq.fact_kept": ("订单 {ref}: {label} 与{where}冲突; 事实已记录, 待人工复核",
                     "order {ref}: {label} conflicts with {where}; the fact is kept and flagged for review"),
    "hq.rejected": ("订单 {ref}: {label} 被拒绝: {where}", "order {ref}: {label} rejected: {where}"),
    "hq.no_such_order": ("订单 {ref}: 总部找不到该物流号或运单号", "order {ref}: head office has no order with this number"),
    "hq.ambiguous": ("订单 {ref}: 对应 {n} 个订单 ({sources})", "order {ref}: {n} orders have this number ({sources})"),
    "hq.says": ("总部: {what}", "head office: {what}"),
    "hq.dispatch_unknown": ("分件目标 {code} 不在总部网点目录中", "the dispatch target {code} is not in head office's directory"),
    "hq.dispatch_same": ("订单 {ref} 已属网点 {code}", "order {ref} is station {code}'s already"),
    "hq.unknown_station": ("网点 {code} 不在总部网点目录中 (用 `hq init --stations` 载入)",
                           "station {code} is not in head office's directory (load it with `hq init --stations`)"),
    "hq.live_token": ("网点 {code} 已有有效凭据: 用 `hq station rotate {code}`", "station {code} has a live token: use `hq station rotate {code}`"),
    "hq.no_live_token": ("网点 {code} 没有有效凭据: 用 `hq station add {code}`", "station {code} has no live token: use `hq station add {code}`"),
    "hq.nothing_to_revoke": ("网点 {code} 没有可吊销的有效凭据", "station {code} has no live token to revoke"),
    "hq.issued": ("网点 {code}: 凭据已签发 (只显示一次; 交给网点作为 STATIONDESK_HQ_TOKEN 或 `stationdesk sync --save-token`):",
                  "station {code}: token issued (shown once; give it to the station as STATIONDESK_HQ_TOKEN or "
                  "`stationdesk sync --save-token`):"),
    "hq.rotated": ("网点 {code}: 新凭据已签发, 旧凭据已失效 (只显示一次; 交给网点作为 STATIONDESK_HQ_TOKEN 或 "
                   "`stationdesk sync --save-token`):",
                   "station {code}: a new token issued, the old one no longer works (shown once; give it to the station "
                   "as STATIONDESK_HQ_TOKEN or `stationdesk sync --save-token`):"),
    "hq.week_open": ("{week} 还没有结束 (结束于 {end}); 周一再结周", "{week} has not ended (it ends {end}); close it on Monday"),
    "hq.week_closed": ("{week} 已结周; 用 `hq audit week-report {week}` 查看周报",
                       "{week} is already closed; `hq audit week-report {week}` shows its report"),
    "hq.week_not_closed": ("{week} 尚未结周", "{week} is not closed yet"),
    "hq.no_violation": ("总部没有该违规记录", "head office has no such violation"),
    "hq.not_notified": ("该违规尚未通知, 通知后再申诉", "the violation is not in a notice yet: appeal after the notice"),
    "hq.appeal_window": ("申诉期已于 {at} 结束", "the appeal window closed {at}"),
    "hq.appeal_state": ("该违规状态为「{state}」, 不能申诉", "the violation is {state}: no appeal"),
    "hq.appeal_received": ("订单 {ref}: 申诉已收到", "order {ref}: the appeal is received already"),
    "hq.appeal_refused": ("订单 {ref}: 申诉不受理: {why}", "order {ref}: appeal not taken: {why}"),
    "hq.appeal_taken": ("订单 {ref}: 申诉已受理 (申诉 {id})", "order {ref}: appeal taken (appeal {id})"),
    "hq.decision_note": ("申诉 {id}: 请写明决定理由 (--note)", "appeal {id}: the decision needs its reason (--note)"),
    "hq.no_appeal": ("申诉 {id} 不存在", "no appeal {id}"),
    "hq.appeal_decided": ("申诉 {id} (订单 {ref}) 已是「{state}」, 不能再决定", "appeal {id} (order {ref}) is {state} already"),
    "hq.no_review": ("复核 {id} 不存在", "no review {id}"),
    "hq.review_decided": ("复核 {id} 已是「{state}」", "review {id} is {state} already"),
    "hq.not_postgres": ("总部数据库地址 '{url}' 不是 PostgreSQL (应为 postgresql+psycopg://user@host:port/db)",
                        "head office's database '{url}' is not PostgreSQL (expected postgresql+psycopg://user@host:port/db)"),
    "hq.upgrade_failed": ("总部数据库 {url}: 建表/升级失败: {why}", "head office's database {url}: creating or upgrading it failed: {why}"),
    "hq.cannot_connect": ("总部数据库 {url} 无法连接: {why}", "head office's database {url}: cannot connect: {why}"),
    "hq.schema": ("总部数据库 {url}: 版本 {rev}, 应为 {head}; 运行 `stationdesk hq init --url URL`",
                  "head office's database {url}: schema {rev}, expected {head}; run `stationdesk hq init --url URL`"),
    # head office's check of a station's audit chain
    "chain.events": ("事件", "event"),
    "chain.accounts": ("账号记录", "account event"),
    "chain.no_link": ("网点 {station}: 总部没有{what} #{event} 的审计链", "station {station}: head office holds no link for {what} #{event}"),
    "chain.rewritten": ("网点 {station}: 审计链在已同步的{what} #{event} 处与总部不符 (总部已有的历史被改写)",
                        "station {station}: the chain differs at the synced {what} #{event} (the history head office already has was rewritten)"),
    "chain.gap": ("网点 {station}: 审计链缺少{what} #{event} (链须连续)", "station {station}: the chain lacks {what} #{event} (links must be consecutive)"),
    "chain.changed": ("网点 {station}: {what} #{event} 与总部已有的审计链不符 (总部已有的记录被改动)",
                      "station {station}: {what} #{event} differs from the chain head office holds (a record it already holds was changed)"),
    "chain.resume": ("网点 {station}: 审计链应从{what} #{expected} 接续, 收到 #{event}",
                     "station {station}: the chain must go on from {what} #{expected}, got #{event}"),
    "chain.hash": ("网点 {station}: {what} #{event} ({label}) 的内容与其链哈希不符 (链接后被改动)",
                   "station {station}: {what} #{event} ({label}) does not match its chain hash (edited after it was chained)"),
    "chain.label_account": ("账号 {name}, {action}", "account {name}, {action}"),
    "chain.label_event": ("订单 id {order}, 版本 {version}, {action}", "order id {order}, version {version}, {action}"),
    "chain.account_unknown": ("网点 {station}: 账号 {name} 不在账号记录中 (在程序之外添加)",
                              "station {station}: the account {name} is not in the accounts chain (added outside stationdesk)"),
    "chain.account_differs": ("网点 {station}: 账号 {name} 的{what}与其最后的账号记录 #{event} 不符 (操作员记录在程序之外被改动)",
                              "station {station}: the {what} of account {name} differs from its last account event #{event} "
                              "(the operator row was changed outside stationdesk)"),
    "chain.account_deleted": ("网点 {station}: 账号 {name} 被删除, 没有账号记录 (最后的账号记录 #{event}; 在程序之外删除)",
                              "station {station}: the account {name} is gone with no account event (#{event} is its last; "
                              "deleted outside stationdesk)"),
    "chain.op_no_link": ("网点 {station} 序号 {seq}: 事件 #{event} 没有随推送送来审计链", "station {station} seq {seq}: event #{event} came without its chain link"),
    "chain.op_differs": ("网点 {station} 序号 {seq} (op {op}): {why}, 与审计链事件 #{event} 不符 (操作记录后被改动)",
                         "station {station} seq {seq} (op {op}): {why}, unlike the chained event #{event} (the op was "
                         "changed after it was recorded)"),
})
MESSAGES.update({
    # the station's side of a sync
    "sync.no_token": ("没有总部凭据: 设置 {env}, 或用 `stationdesk sync token` 保存 `stationdesk hq station add` 签发的凭据 (文件 {path})",
                      "no head office token: set {env} or save the token issued by `stationdesk hq station add` with "
                      "`stationdesk sync token` (file {path})"),
    "sync.token_unreadable": ("{path}: 无法读取凭据文件: {why}", "{path}: cannot read the token file: {why}"),
    "sync.token_open": ("{path}: 凭据文件可被他人读取 (权限 {mode}); 运行 `chmod 600 {path}` 或用 `stationdesk sync token` 重新保存",
                        "{path}: the token file is readable by others (mode {mode}); run `chmod 600 {path}` or save it "
                        "again with `stationdesk sync token`"),
    "sync.token_empty": ("{path}: 凭据文件为空", "{path}: the token file is empty"),
    "sync.token_form": ("凭据格式不对: 凭据是一个不含空格的词", "not a token: a token is one word without spaces"),
    "sync.db_url": ("总部地址是数据库地址: 网点现在通过总部的服务同步; 在 [sync] url 或 --hq 填写其 https:// 地址",
                    "the head office address is a database URL: stations sync through head office's service; use its "
                    "https:// address in [sync] url or --hq"),
    "sync.bad_url": ("总部地址 '{url}' 不可用: 请用 https://..., 本机服务可用 http://127.0.0.1:PORT",
                     "head office address '{url}' cannot be used: use https://..., or http://127.0.0.1:PORT for a "
                     "service on this machine"),
    "sync.unreachable": ("总部 {url} 无法连接 ({why}); 已提交的部分已记录, 下次同步从中断处继续",
                         "head office {url} cannot be reached ({why}); what was committed is recorded, the next sync "
                         "resumes from there"),
    "sync.not_api": ("总部 {url}: HTTP {status} (不是总部的同步服务?)", "head office {url}: HTTP {status} (not head office's sync API?)"),
    "sync.malformed": ("总部 {url}: 回复格式不对 ({model}): {why}", "head office {url}: a malformed answer ({model}): {why}"),
    "sync.resolution_needed": ("冲突 {id}: 请写明处理结果", "conflict {id}: say how it was resolved"),
    "sync.no_conflict": ("冲突 {id} 不存在", "no conflict {id}"),
    "sync.conflict_resolved": ("冲突 {id} (订单 {ref}) 已于 {at} 由 {by} 处理", "conflict {id} (order {ref}) was resolved at {at} by {by}"),
    "sync.unknown_kind": ("总部发来本程序不认识的内容 (位置 {position} 的类型 '{kind}'): 请更新 stationdesk; 之前的内容已应用",
                          "head office sent what this stationdesk does not know (kind '{kind}' at position {position}): "
                          "update stationdesk; what came before it was applied"),
    "sync.outbox_unreadable": ("待上传操作 序号 {seq} ({action}) 读不通: {why}", "outbox op seq {seq} ({action}) is unreadable: {why}"),
    "sync.rebase_unreadable": ("网点 {station}: 总部发来的订单读不通 (重建: {why}); 没有改动任何内容",
                               "station {station}: head office sent an order that does not read (re-base: {why}); nothing was changed"),
    "sync.unreadable_order": ("总部发来的订单读不通 (位置 {position}: {why}); 之前的内容已应用",
                              "head office sent an order that does not read (feed entry at position {position}: {why}); "
                              "what came before it was applied"),
    "sync.first_differing": ("{message}; 第一个不同的事件 #{event}", "{message}; the first differing event is #{event}"),
    "sync.first_differing_order": ("{message}; 第一个不同的事件 #{event}: 订单 {ref} 版本 {version} {action}, {operator} 于 {at}",
                                   "{message}; the first differing event is #{event}: order {ref} version {version} "
                                   "{action} by {operator} at {at}"),
    "sync.first_differing_account": ("{message}; 第一个不同的账号记录 #{event}", "{message}; the first differing account event is #{event}"),
    "sync.history_rewritten": ("网点 {station}: {what}与总部保存的不符, 同步已停止, 已报总部复核",
                               "station {station}: its {what} differs from head office's copy; syncs stop, head office "
                               "reviews it"),
    "sync.what_chain": ("审计链", "audit chain"),
    "sync.what_accounts": ("账号记录", "account records"),
    "sync.summary": ("上传 {pushed}, 确认 {acknowledged}, 驳回 {rejected}, 冲突 {conflicts}, 拉取 {pulled}",
                     "pushed {pushed}, acknowledged {acknowledged}, rejected {rejected}, conflicts {conflicts}, pulled {pulled}"),
    "sync.conflict_line": ("冲突: {what}", "conflict: {what}"),
    "sync.station_line": ("网点 {station}: {what}", "station {station}: {what}"),
})
MESSAGES.update({
    # the command line's outcomes: alerts, logs, accounts, the token
    "cli.nothing_waiting": ("没有等待接单的订单", "no order waits for acceptance"),
    "cli.out_of_hours": ("非工作时间 {span}, 不提醒", "outside working hours {span}: no alert"),
    "cli.titled": ("{title}: {text}", "{title}: {text}"),
    "cli.most_urgent": ("最紧急: {ref} 接单时限 {deadline}", "most urgent: {ref}, accept by {deadline}"),
    "cli.no_log": ("{path}: 还没有日志 (第一次运行命令或桌面时开始记录)", "{path}: no log yet: it starts with the first command or desk run"),
    "cli.token_saved": ("凭据已保存 (只有本人可读): {path}", "token saved, readable by its owner only: {path}"),
    "cli.new_password": ("{name} 的新密码: ", "{name}'s new password: "),
    "cli.password_again": ("再输入一次: ", "again: "),
    "cli.current_password": ("原密码: ", "current password: "),
    "cli.account_added": ("已添加账号 {name} ({role})", "account added: {name} ({role})"),
    "cli.password_changed": ("{name}: 密码已更改", "{name}: password changed"),
    "cli.no_accounts": ("没有账号: 本网点是开放的; 用 `stationdesk user add NAME --role admin` 添加第一个",
                        "no accounts: the station is open; add the first with `stationdesk user add NAME --role admin`"),
    "cli.unlocked": ("{name}: 已解锁; 请修正仍在使用旧密码的定时任务", "{name}: unlocked; fix any job still using an old password"),
})
MESSAGES.update({
    "sync.rebased": ("网点 {station}: 从较早的备份恢复后已重新接续: 总部已有序号 {first}-{last}, {orders} 个订单取总部状态, "
                     "{later} 个未同步操作改排在其后",
                     "station {station}: re-based after a restore from an older backup: head office holds seqs "
                     "{first}-{last}, {orders} {orders|order takes|orders take} head office's state, {later} unsynced "
                     "{later|action goes|actions go} after them"),
})
MESSAGES.update({
    "cli.backup_exists_today": ("{folder}: 今天的备份已存在", "{folder}: today's backup exists"),
    "cli.backup_made": ("{path}: {orders:,} 单, {size}, {seconds:.1f} 秒, 校验通过",
                        "{path}: {orders:,} {orders|order|orders}, {size}, {seconds:.1f} s, verified"),
    "cli.backup_made_events": ("{path}: {orders:,} 单, {events:,} 事件, {size}, {seconds:.1f} 秒, 校验通过",
                               "{path}: {orders:,} {orders|order|orders}, {events:,} {events|event|events}, {size}, "
                               "{seconds:.1f} s, verified"),
    "cli.backup_removed": ("已删除 {path} ({why})", "removed {path} ({why})"),
    "cli.backup_unfinished": ("未完成的备份留下的文件", "left by a backup that did not finish"),
    "cli.backup_old": ("超过 {days} 天", "older than {days} {days|day|days}"),
    "cli.token_revoked": ("网点 {code}: 凭据已吊销", "station {code}: token revoked"),
    "cli.account_disabled": ("{name}: 已停用", "{name}: disabled"),
    "cli.state_disabled": ("已停用", "disabled"),
    "cli.state_locked": ("锁定至 {until}", "locked until {until}"),
    "hq.rebased": ("网点 {station} 从较早的备份恢复后重新接续: 审计链事件 #{after} 之后的 {n} 条由网点新记录取代, 原记录保留",
                   "station {station} re-based after a restore from an older backup: {n} {n|link|links} after event "
                   "#{after} replaced by the station's new records, the old ones kept"),
    "hq.feed_no_cancel": ("状态「{status}」不能撤单", "the order is {status}: no cancellation"),
})
