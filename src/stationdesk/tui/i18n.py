"""Screen words in Chinese (the clerks' own terms, the default) and English."""

from __future__ import annotations

from datetime import timedelta

from stationdesk.domain.fields import BusinessType, Channel
from stationdesk.domain.reasons import Reason
from stationdesk.domain.sla import format_time_left
from stationdesk.domain.statuses import Action, Status
from stationdesk.domain.words import plural, say, speak
from stationdesk.services.views import coded  # the presenter says coded values: one rule for every screen

LABELS: dict[str, tuple[str, str]] = {
    "app.title": ("网点电商订单", "Station e-commerce orders"),
    "screen.accept": ("网点接单", "Accept orders"),
    "screen.pickup": ("网点揽件", "Pick up orders"),
    "screen.query": ("电商订单查询", "Order query"),
    "screen.unscanned": ("网点未揽收查询", "Unscanned orders"),
    "screen.detail": ("详细数据", "Order details"),
    "screen.help": ("帮助", "Help"),
    # log-in (once the station has accounts)
    "login.title": ("操作员登录", "Operator log-in"),
    "login.name": ("姓名", "Name"),
    "login.password": ("密码", "Password"),
    "login.hint": ("输入姓名和密码, 按 Enter 登录; F10 退出", "Type your name and password, Enter to sign in; F10 quits"),
    "login.checking": ("正在验证...", "Checking..."),
    "login.button": ("登录", "Sign in"),
    "login.welcome": ("{who} 已登录", "{who} signed in"),
    # status bar
    "bar.station": ("网点", "Station"),
    "bar.operator": ("操作员", "Operator"),
    "bar.waiting": ("等待接单", "Waiting"),
    "bar.damage": ("审计链断开! 请管理员处理", "Audit chain broken! An admin must act"),
    "bar.overdue": ("超时", "Overdue"),
    "bar.db": ("数据库", "DB"),
    "bar.synced": ("同步", "Synced"),
    "bar.never_synced": ("未同步", "Not synced"),
    "bar.syncing": ("同步中", "Syncing"),
    "bar.pending": ("待上传", "Pending"),
    "bar.conflicts": ("冲突", "Conflicts"),
    # head office sync
    "sync.off": ("同步未配置: 请在 config.toml 的 [sync] url 填写总部地址 (本网点离线工作)",
                 "Sync is not set up: put the head office URL in [sync] url of config.toml (working offline)"),
    "sync.busy": ("正在同步, 请稍候", "A sync is already running"),
    "sync.running": ("正在与总部同步...", "Syncing with head office..."),
    "sync.done": ("同步完成: 上传 {pushed}, 确认 {acknowledged}, 驳回 {rejected}, 冲突 {conflicts}, 拉取 {pulled}",
                  "Synced: pushed {pushed}, acknowledged {acknowledged}, rejected {rejected}, "
                  "conflicts {conflicts}, pulled {pulled}"),
    "sync.resolutions": (", 报送冲突处理结果 {n}", ", resolutions sent {n}"),
    "sync.new_conflicts": ("新冲突 {n} 条, 按 {key} 查看", "{n} new conflicts: see {key}"),
    "sync.failed": ("同步失败, 本网点继续离线工作, 稍后重试: {why}",
                    "Sync failed; the desk works on offline and will try again: {why}"),
    # list titles
    "list.total": ("共 {n} 单", "{n} {n|order|orders}"),
    "list.selected": ("已选 {n} 单", "{n} selected"),
    "list.position": ("第 {n} 行", "row {n}"),
    "list.loading": ("正在加载...", "Loading..."),
    "list.empty": ("没有符合条件的订单", "No orders match"),
    "list.end": ("已是最后一页", "This is the last page"),
    "list.start": ("已是第一页", "This is the first page"),
    "list.none": ("没有选中的订单", "No order highlighted"),
    "accept.hint": ("超时未接单的订单显示为红色; 超区订单须转单", "red: overdue; OUT: transfer it"),
    "pickup.hint": ("揽件时限 16 小时; 超时显示为红色", "16 h to pick up; red: overdue"),
    # columns
    "col.mark": ("", ""),
    "col.left_accept": ("剩余", "Left"),
    "col.left_pickup": ("剩余", "Left"),
    "col.order_time": ("下单时间", "Ordered"),
    "col.logistics_no": ("物流号", "Logistics no."),
    "col.waybill_no": ("运单号", "Waybill no."),
    "col.source": ("数据来源", "Source"),
    "col.channel": ("线上/线下", "Channel"),
    "col.business_type": ("业务类型", "Type"),
    "col.status": ("状态", "Status"),
    "col.cancel": ("撤单", "Cancel"),
    "col.name": ("寄件人", "Sender"),
    "col.phone": ("电话", "Phone"),
    "col.district": ("区县", "District"),
    "col.address": ("地址", "Address"),
    "col.area": ("区域", "Area"),
    "area.out": ("超区>{code}", "OUT>{code}"),
    "area.out_unknown": ("超区", "OUT"),
    "cancel.handled": ("已处理", "handled"),
    "cancel.unhandled": ("未处理", "to handle"),
    # filters
    "filter.all": ("全部", "All"),
    "filter.source": ("数据来源", "Source"),
    "filter.business_type": ("业务类型", "Type"),
    "filter.area": ("区域", "Area"),
    "filter.area_in": ("本网点区域", "In area"),
    "filter.area_out": ("超区", "Out of area"),
    "filter.number": ("物流号/运单号", "Logistics/waybill no."),
    "filter.number_hint": ("物流号/运单号", "type or scan"),
    "filter.start": ("开始日期", "From"),
    "filter.end": ("结束日期", "To"),
    "filter.cancel": ("撤单处理", "Cancellation"),
    "filter.cancel_unhandled": ("未做撤单处理", "Not handled"),
    "filter.cancel_handled": ("已做撤单处理", "Handled"),
    "filter.channel": ("线上/线下", "Online/offline"),
    "filter.status": ("状态", "Status"),
    "filter.bad_date": ("日期 '{text}' 不对, 应为 YYYY-MM-DD", "Date '{text}' is not YYYY-MM-DD"),
    "filter.bad_range": ("开始日期晚于结束日期", "The start date is after the end date"),
    "query.by_date": ("按下单日期查询", "By order date"),
    "query.by_number": ("按物流号/运单号查询: {number}", "By logistics/waybill number: {number}"),
    "query.hint": ("输入日期或单号后按 Enter 查询; 选择条件后立即查询", "Enter searches; a changed filter searches at once"),
    # actions and their messages
    "select.all": ("已选择全部可接的等待订单 {n} 单", "Selected {n|the|all} {n} waiting {n|order|orders} this station may accept"),
    "select.none_waiting": ("没有可接的等待订单", "No waiting order to accept"),
    "select.out_of_area": ("超区订单不能接单, 请转单", "Out-of-area orders cannot be accepted: transfer them"),
    "batch.none": ("没有选择订单: 用空格选择, 或全选等待接单", "Nothing selected: use space, or select all waiting"),
    "batch.confirm": ("批量接单 {n} 单?", "Batch accept {n} {n|order|orders}?"),
    "quit.confirm": ("以下内容尚未完成, 确定退出?", "Not everything is finished. Quit anyway?"),
    "quit.title": ("退出", "Quit"),
    "confirm.ok": ("Enter 确定", "Enter: OK"),
    "confirm.cancel": ("Esc 取消", "Esc: cancel"),
    "unsaved.selection": ("{screen}: 已选择 {n} 单未批量接单", "{screen}: {n} {n|order|orders} selected, not accepted"),
    "unsaved.dialog": ("{title}: 输入未保存", "{title}: input not saved"),
    "cancel.not_cancelled": ("订单 {ref} 未撤单, 无需撤单处理", "Order {ref} is not cancelled"),
    # dialogs
    "reason.title": ("{action}: {ref}", "{action}: {ref}"),
    "reason.note": ("说明 (原因为「其他」时必填)", "Note (required for 'other')"),
    "reason.pick": ("选择原因后按 Enter, 再填写说明并按 Enter", "Pick a reason, Enter, write a note, Enter"),
    "transfer.title": ("转单: {ref}", "Transfer: {ref}"),
    "transfer.where": ("寄件区县「{district}」 建议转至 {suggested}", "District {district}: suggested {suggested}"),
    "transfer.search": ("按网点代码或名称搜索", "Search by station code or name"),
    "transfer.suggested": ("建议", "suggested"),
    "transfer.none": ("没有匹配的网点", "No station matches"),
    "transfer.confirm_wrong": ("目录中 {code} 不服务区县「{district}」: 确定转单?",
                               "The directory says {code} does not serve {district}: transfer anyway?"),
    "transfer.served_by": ("该区县按目录属于 {code} {name}", "By the directory it belongs to {code} {name}"),
    "transfer.served_by_none": ("目录中没有服务该区县的网点: 应转数据中心", "No station serves it: the data center takes it"),
    "transfer.fine": ("转错网点会被考核, 罚款 {fine} 元", "A wrong transfer is fined {fine} yuan"),
    "quit.unsynced": ("{n} 个操作尚未上传总部 (下次同步时上传)", "{n} {n|action|actions} not yet sent to head office (sent at the next sync)"),
    "transfer.pick": ("上下键选择, Enter 转单", "Up/down to choose, Enter to transfer"),
    "waybill.title": ("揽件确认: {ref}", "Confirm pickup: {ref}"),
    "waybill.label": ("运单号 ({desc})", "Waybill number ({desc})"),
    "waybill.has": ("订单已有运单号, 按 Enter 确认当前记录揽件成功", "The order has its waybill: Enter confirms the pickup"),
    "waybill.send": ("我要寄快递: 输入或扫描运单号", "Send parcel: type or scan the waybill number"),
    "waybill.remind": ("该订单只有物流号: 请提醒客户提供正确的运单号", "Only a logistics number: remind the customer to give the correct waybill number"),
    "working": ("正在保存...", "Saving..."),
    # detail
    "detail.fields": ("订单信息", "Order"),
    "detail.history": ("订单记录", "History"),
    "detail.loading": ("正在加载订单...", "Loading the order..."),
    "detail.reveal_hint": ("按 {key} 显示/隐藏完整电话", "Press {key} to show or hide the full phone"),
    "f.logistics_no": ("物流号", "Logistics no."),
    "f.waybill_no": ("运单号", "Waybill no."),
    "f.source": ("数据来源", "Source"),
    "f.channel": ("线上/线下", "Online/offline"),
    "f.business_type": ("业务类型", "Business type"),
    "f.status": ("状态", "Status"),
    "f.order_time": ("下单时间", "Order time"),
    "f.accept_deadline": ("接单时限", "Accept by"),
    "f.pickup_deadline": ("揽件时限", "Pick up by"),
    "f.sender_name": ("寄件人", "Sender"),
    "f.sender_phone": ("电话", "Phone"),
    "f.sender_province": ("省", "Province"),
    "f.sender_city": ("市", "City"),
    "f.sender_district": ("区县", "District"),
    "f.sender_address": ("地址", "Address"),
    "f.note": ("需求描述", "Request note"),
    "f.goods": ("物品", "Goods"),
    "f.station_code": ("所属网点", "Station"),
    "f.area": ("服务区域", "Service area"),
    "f.dispatch": ("分件", "Dispatch"),
    "f.cancel": ("撤单", "Cancellation"),
    "f.fail": ("失败原因", "Failure reason"),
    "f.scanned_at": ("揽收扫描", "Pickup scan"),
    "f.violations": ("违规", "Violations"),
    "v.in_area": ("本网点区域", "in this station's area"),
    "v.out_area": ("超区, 应转至 {code}", "out of area, belongs to {code}"),
    "v.not_cancelled": ("未撤单", "not cancelled"),
    "v.cancel_handled": ("已撤单 {at}, 已做撤单处理", "cancelled {at}, handled"),
    "v.cancel_unhandled": ("已撤单 {at}, 未做撤单处理", "cancelled {at}, not handled"),
    "v.none": ("无", "none"),
    "yuan": ("元", "yuan"),
    "backup.done": ("今日备份已完成 ({name})", "today's backup is done ({name})"),
    "backup.failed": ("今日备份失败, 一小时后重试: {why}", "today's backup failed; trying again within the hour: {why}"),
    "v.not_scanned": ("未扫描", "not scanned"),
    "h.time": ("时间", "Time"),
    "h.action": ("操作", "Action"),
    "h.operator": ("操作员", "Operator"),
    "h.status": ("状态变化", "Status"),
    "h.details": ("内容", "Details"),
    # help
    "help.screen": ("本屏幕的按键", "Keys on this screen"),
    "help.all": ("全部按键 (可在 config.toml 的 [keys] 中修改)", "Every key (remap under [keys] in config.toml)"),
    "help.key": ("按键", "Key"),
    "help.what": ("作用", "What it does"),
    "help.id": ("动作代码", "Action id"),
    "help.rules": ("总部考核的规则", "The rules head office holds the station to"),
    "help.rule_accept": ("30 分钟内接单 (从下单起; 总部电商分件从分件起): 超时罚 {fine} 元",
                         "Accept within 30 min of the order (of an HQ dispatch): late, {fine} yuan"),
    "help.rule_pickup": ("16 小时内揽收 (从下单起): 超时罚 {fine} 元", "Pick up within 16 h of the order: late, {fine} yuan"),
    "help.rule_transfer": ("超区订单 30 分钟内转给正确网点或数据中心: 迟转/转错罚 {fine} 元",
                           "Out of area: to the right station within 30 min: late/wrong, {fine} yuan"),
    "help.rule_reason": ("失败原因须真实 (人手不够/地址太远不算): 假原因罚 100, 假运单号罚 500 元",
                         "True failure reasons only (not staff/distance): 100; false waybill: 500"),
    "help.rule_other": ("不接非本网点订单 (罚 {fine} 元); 违规通知后 3 天内可申诉 (主管 F8)",
                        "Never accept another station's order ({fine} yuan); appeal in 3 days (F8)"),
    "help.where": ("范围", "Where"),
    # unscanned placeholder
    "unscanned.body": (
        "网点未揽收查询 (扫描 -> 对比监控) 尚未提供。\n\n"
        "它将按下单时间范围列出线上订单中还没有揽收扫描的订单, 供下班前补扫描。\n"
        "在此之前, 请在电商订单查询 (F2) 中按状态查看已揽件订单。",
        "The unscanned-orders report (scan -> compare) is not available yet.\n\n"
        "It will list online orders in an order-time range that have no pickup scan, for the\n"
        "end-of-shift supplementary scan. Until then use the order query (F2) by status.",
    ),
    # the key bar's short words, used when the full ones do not fit (an 80-column terminal)
    "keyshort.app.query": ("查询", "Query"),
    "keyshort.app.accept": ("接单", "Accept"),
    "keyshort.app.pickup": ("揽件", "Pickup"),
    "keyshort.app.unscanned": ("未揽收", "Unscanned"),
    "keyshort.app.scan": ("扫描", "Scan"),
    "keyshort.app.supervisor": ("报表", "Reports"),
    "keyshort.app.conflicts": ("冲突", "Conflicts"),
    "keyshort.app.ack_alert": ("确认", "Ack"),
    "keyshort.app.sync": ("同步", "Sync"),
    "keyshort.accept.select_all": ("全选", "All"),
    "keyshort.accept.batch": ("批量", "Batch"),
    "keyshort.accept.fail": ("失败", "Fail"),
    "keyshort.pickup.confirm": ("揽件", "Pick up"),
    "keyshort.pickup.fail": ("失败", "Fail"),
    "keyshort.list.details": ("详细", "Details"),
    "keyshort.list.page_down": ("下页", "Next"),
    "keyshort.list.page_up": ("上页", "Prev"),
    "keyshort.query.cancel_handled": ("撤单处理", "Handled"),
    # resolve
    "resolve.title": ("处理冲突 {id}: {ref}", "Resolve conflict {id}: {ref}"),
    "resolve.hint": ("写明用什么新操作解决了冲突 (如: 已做撤单处理 / 已转单至 XX), 按 Enter 保存; 订单本身不会被改动",
             "Say which new action settled it (e.g. cancellation handled / transferred to XX), Enter saves; "
             "the order itself is not changed"),
    "resolve.note": ("处理结果", "Resolution"),
    "resolve.required": ("请写明处理结果", "Say how it was resolved"),
    "resolve.unsaved": ("{title}: 输入未保存", "{title}: input not saved"),
    # conflicts
    "conflicts.title": ("同步冲突", "Sync conflicts"),
    "conflicts.count": ("未处理 {n} 条", "{n} open"),
    "conflicts.hint": ("{resolve} 处理 (写明用什么新操作解决)  {details} 详细数据",
             "{resolve}: resolve (say which new action settled it)  {details}: details"),
    "conflicts.loading": ("正在加载...", "Loading..."),
    "conflicts.empty": ("没有未处理的冲突", "No open conflicts"),
    "conflicts.none": ("没有选中的冲突", "No conflict highlighted"),
    "conflicts.no_order": ("订单 {ref} 不在本网点数据库中, 没有详细数据", "Order {ref} is not in this station's database"),
    "conflicts.col.no": ("编号", "No."),
    "conflicts.col.logistics_no": ("物流号", "Logistics no."),
    "conflicts.col.kind": ("类型", "Kind"),
    "conflicts.col.action": ("本网点操作", "Station action"),
    "conflicts.col.hq": ("总部状态/网点", "HQ status/station"),
    "conflicts.col.detected": ("发现时间", "Detected"),
    "conflicts.col.message": ("说明", "Message"),
    "conflicts.kind.rejected": ("驳回", "rejected"),
    "conflicts.kind.fact_kept": ("事实保留", "fact kept"),
    "conflicts.chain": ("总部拒绝同步: {why}", "Head office refuses to sync: {why}"),
    "conflicts.resolved": ("冲突 {id} (订单 {ref}) 已处理, 下次同步报总部", "Conflict {id} (order {ref}) resolved; head office hears on the next sync"),
    # unscanned
    "unscanned.from": ("下单日期 从", "Ordered from"),
    "unscanned.to": ("到", "to"),
    "unscanned.channel": ("线上/线下", "Channel"),
    "unscanned.all": ("全部", "All"),
    "unscanned.online": ("线上", "Online"),
    "unscanned.offline": ("线下", "Offline"),
    "unscanned.hint": ("s 补扫描; 超过 16 小时显示为红色", "s: scan these; over 16 hours is red"),
    "unscanned.bad_day": ("日期 '{text}' 不对 (YYYY-MM-DD)", "Date '{text}' is not YYYY-MM-DD"),
    "unscanned.bad_range": ("开始日期晚于结束日期", "The start is after the end"),
    # scan
    "scan.prompt": ("扫描或输入运单号, 回车", "Scan or type a waybill number, then Enter"),
    "scan.counts": ("本次扫描 {n}  揽收成功 {ok}  补扫描 {sup}  拒绝 {bad}", "Scans {n}  picked up {ok}  supplementary {sup}  refused {bad}"),
    "scan.queued": ("  处理中 {n}", "  in progress {n}"),
    "scan.left": ("  待扫 {n} 单", "  {n} left to scan"),
    "scan.unsaved": ("{n} 个扫描尚未记录完", "{n} {n|scan|scans} not yet recorded"),
    "scan.failed": ("未记录, 请重扫", "NOT recorded, scan again"),
    "scan.mark_supplementary": ("补", "+"),
    "scan.targets": ("未揽收订单 (扫描后移除)", "Unscanned orders (leave the list when scanned)"),
    "palette.placeholder": ("输入命令名称搜索", "Type to search the commands"),
    "palette.none": ("没有匹配的命令", "No command matches"),
    "palette.none_help": ("换个词试试, 或按 Esc 返回", "Try another word, or Esc to go back"),
    "palette.anywhere": ("任何屏幕", "Any screen"),
    "palette.this_screen": ("本屏幕", "This screen"),
    "sup.this_week": ("本周", "This week"),
    "sup.last_week": ("上周", "Last week"),
    "sup.this_month": ("本月", "This month"),
    "sup.refunds": ("罚款返还 (次月无违规返 60%, 再下月无违规返 40%)", "Refunds (60% after a clean month, 40% after a second)"),
    "sup.notices": ("处罚通知 (通知后 3 天内可申诉)", "Penalty notices (appeal within 3 days of the notice)"),
    "sup.appeal_closed": ("申诉期已过", "closed"),
    "sup.notice_line": ("{week} {fine}元  申诉截止 {until} ({left})", "{week} {fine} yuan  appeal until {until} ({left})"),
    "sup.last_14_days": ("最近 14 天", "Last 14 days"),
    "appeal.title": ("违规申诉 (处罚通知后 3 天内)", "Appeal a fine (within 3 days of its notice)"),
    "appeal.hint": ("输入序号和申诉说明, Ctrl+S 保存", "Type the number and why the fine is wrong, Ctrl+S saves"),
    "appeal.pick": ("序号", "Number"),
    "appeal.note": ("申诉说明", "Why it is wrong"),
    "appeal.bad_pick": ("请输入 1 到 {n} 之间的序号", "Type a number from 1 to {n}"),
    "appeal.required": ("请写明申诉说明", "Say why the fine is wrong"),
    "appeal.none": ("没有可申诉的违规 (没有处罚通知, 或申诉期已过)", "Nothing to appeal (no notice, or its 3 days are over)"),
    "appeal.unsaved": ("违规申诉: 输入未保存", "Appeal: input not saved"),
    "sup.kind_line": ("{kind} {n}单/{fine}元", "{kind} {n} {n|order|orders}/{fine} yuan"),
    "sup.series": ("{name} (最多 {top})", "{name} (max {top})"),
    "sup.total": ("合计 {fine} 元", "total {fine} yuan"),
    "sup.refund_line": ("{fined} {fine}元 -> {earned} {percent}% {amount}元 {status}",
                        "{fined} {fine} yuan -> {earned} {percent}% {amount} yuan {status}"),
    "waybill.default_desc": ("12-15 位数字", "12 to 15 digits"),
    # errors
    "error.internal": ("内部错误, 操作未完成", "Internal error: the action did not complete"),
    "error.keys": ("[keys] 配置有误, 已忽略: {why}", "[keys] ignored: {why}"),
    # order exceptions: corrections, duplicates, the end of the shift
    "area.duplicate": ("重复下单?", "DUP?"),
    "correct.title": ("更正客户信息: {ref}", "Correct customer details: {ref}"),
    "correct.hint": ("联系客户后填写更正的内容; 不改的留空或保持原样", "After contacting the customer, change what is wrong; leave the rest"),
    "correct.phone": ("电话 (现为 {masked}; 留空不改)", "Phone (now {masked}; empty keeps it)"),
    "correct.reason": ("更正原因 (必填)", "Why (required)"),
    "correct.no_reason": ("请填写更正原因", "Say why the details change"),
    "correct.nothing": ("没有需要更正的内容", "Nothing changed"),
    "dup.title": ("重复下单?: {ref} 与 {earlier}", "Likely duplicate: {ref} of {earlier}"),
    "dup.hint": ("两单均未处理时按重复下单接单失败并告知客户; 已处理的请先联系客户",
                 "If neither is processed, fail it as a duplicate and tell the customer; otherwise contact the customer"),
    "dup.fail": ("按重复下单接单失败 (原因: 重复下单)", "Fail as a duplicate (reason: duplicate order)"),
    "dup.clear": ("不是重复下单, 取消标记", "Not a duplicate: clear the flag"),
    "dup.not_flagged": ("订单 {ref} 没有重复下单标记", "Order {ref} is not flagged as a duplicate"),
    "screen.exceptions": ("物流异常与投诉", "Exceptions and complaints"),
    "lx.open": ("未处理的物流异常", "Open logistics exceptions"),
    "cp.open": ("未关闭的客户投诉 (48 小时内处理)", "Open complaints (48 hours to close)"),
    "lx.counts": ("异常 {x} 单, 投诉 {c} 件", "{x} {x|exception|exceptions}, {c} {c|complaint|complaints}"),
    "lx.hint": ("{contacted} 已联系客户  {resolve} 处理异常/关闭投诉  Tab 切换", "{contacted}: contacted  {resolve}: resolve / close  Tab: switch"),
    "lx.yes": ("已联系", "yes"),
    "lx.no": ("未联系", "no"),
    "lx.record_title": ("登记物流异常: {ref}", "Record a logistics exception: {ref}"),
    "lx.kind": ("异常类型", "Kind"),
    "lx.cause": ("原因 (必填)", "Cause (required)"),
    "lx.contacted_title": ("已联系客户: {ref}", "Customer contacted: {ref}"),
    "lx.contact_note": ("告知客户的内容 (可不填)", "What the customer was told (optional)"),
    "lx.resolve_title": ("处理物流异常: {ref}", "Resolve the exception: {ref}"),
    "lx.outcome": ("处理结果 (必填)", "Outcome (required)"),
    "cp.record_title": ("登记客户投诉: {ref}", "Record a complaint: {ref}"),
    "cp.channel": ("投诉渠道", "Channel"),
    "cp.category": ("投诉类别", "Category"),
    "cp.note": ("投诉内容 (必填)", "What the customer said (required)"),
    "cp.close_title": ("关闭投诉 #{id}: {ref}", "Close complaint #{id}: {ref}"),
    "cp.confirmation": ("客户的确认 (必填)", "The customer's confirmation (required)"),
    "lxcol.logistics_no": ("物流号", "Logistics no."),
    "lxcol.kind": ("类型", "Kind"),
    "lxcol.age": ("已过", "Age"),
    "lxcol.contacted": ("联系客户", "Contacted"),
    "lxcol.note": ("说明", "Note"),
    "lxcol.no": ("编号", "No."),
    "lxcol.category": ("类别", "Category"),
    "lxcol.channel": ("渠道", "Channel"),
    "lxcol.left": ("剩余", "Left"),
    "lxcol.state": ("状态", "State"),
    "cp.escalated_title": ("投诉即将超过 48 小时 (已升级)", "Complaints near the 48-hour limit (escalated)"),
    "cp.escalated": ("{n} 件: {items}; {key} 查看", "{n}: {items}; {key} to see them"),
    "f.remark": ("备注", "Remark"),
    "shift_end.title": ("下班前请运行网点未揽收查询", "Before the end of the shift: run the unscanned check"),
    "shift_end.text": ("还有 {n} 单未揽收扫描; 按 {key} 打开网点未揽收查询并补扫描",
                       "{n} {n|order has|orders have} no pickup scan; press {key} for the unscanned list and scan them"),
}

def tr(label: str, lang: str, /, **values: object) -> str:
    """The words for ``label`` in ``lang``, with ``values`` filled in: the screens' own words, or
    the catalogue's messages (stationdesk.domain.words) said the same way."""
    if label not in LABELS:
        return say(label, lang, **values)
    zh, en = LABELS[label]
    text = plural(en, values) if lang == "en" else zh
    return text.format(**values) if values else text


def status_label(value: str, lang: str) -> str:
    return coded(Status, value, lang)


def action_label(value: str, lang: str) -> str:
    return coded(Action, value, lang)


def business_label(value: str, lang: str) -> str:
    return coded(BusinessType, value, lang)


def channel_label(value: str, lang: str) -> str:
    return coded(Channel, value, lang)


def reason_label(value: str | None, lang: str) -> str:
    return coded(Reason, value, lang)


TIME_LEFT_WIDTH = 10  # cells: the widest time_left text, '-999天23时'


def violation_label(value: str, lang: str) -> str | None:
    """A violation kind's words in ``lang`` (None for a kind this desk does not know)."""
    from stationdesk.domain.sla import ViolationKind

    try:
        kind = ViolationKind(value)
    except ValueError:
        return None
    return kind.label_en if lang == "en" else kind.label


def error_text(error: Exception, lang: str) -> str | None:
    """A refusal in the operator's language, from its catalogue key and parameters; None when it
    carries no words of the catalogue (a driver's or the system's own text)."""
    return speak(error, lang) if getattr(error, "words", None) is not None else None


def time_left(left: timedelta, lang: str, *, hours: bool = False) -> str:
    """'12分' / '5时20分' (the domain's own words), or '12m' / '5h20m' in English. Past 999
    minutes a minutes-only text reads in hours, and past 99 hours in days and hours, so an order
    overdue for weeks still fits TIME_LEFT_WIDTH cells ('-14天02时', '-14d02h')."""
    secs = int(left.total_seconds())
    if abs(secs) >= 100 * 3600:
        sign, secs = ("-" if secs < 0 else ""), abs(secs)
        if sign:
            secs = -(-secs // 3600) * 3600  # up to the hour begun, as minutes count up to the minute begun
        days, hrs = divmod(secs // 3600, 24)
        return f"{sign}{days}d{hrs:02d}h" if lang == "en" else f"{sign}{days}天{hrs:02d}时"
    hours = hours or abs(secs) >= 1000 * 60
    if lang != "en":
        return format_time_left(left, hours=hours)
    sign, secs = ("-" if secs < 0 else ""), abs(secs)
    if sign:
        secs = -(-secs // 60) * 60
    if hours:
        return f"{sign}{secs // 3600}h{(secs % 3600) // 60:02d}m"
    return f"{sign}{secs // 60}m"
