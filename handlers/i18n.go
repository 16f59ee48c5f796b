package handlers

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
)

// Locales the product speaks; the first is the default.
const (
	LocaleZH = "zh-CN"
	LocaleEN = "en"
)

// listIndex is the item index in a field path such as "skills[1]".
var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

var localeMatcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// localeOf picks the response language from Accept-Language; Chinese unless English is preferred.
func localeOf(c echo.Context) string {
	if v, ok := c.Get("locale").(string); ok {
		return v
	}
	loc := LocaleZH
	if h := c.Request().Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, idx, conf := localeMatcher.Match(tags...)
			if conf != language.No && idx == 1 {
				loc = LocaleEN
			}
		}
	}
	c.Set("locale", loc)
	return loc
}

// T looks up a message and fills {name} placeholders.
func T(locale, key string, params map[string]any) string {
	msg, ok := catalog[locale][key]
	if !ok {
		msg, ok = catalog[LocaleZH][key]
	}
	if !ok {
		msg = key
	}
	for k, v := range params {
		msg = strings.ReplaceAll(msg, "{"+k+"}", fmt.Sprint(v))
	}
	return msg
}

// fieldLabel names an input field for people; an item of a list ("skills[1]") is named by its
// list.
func fieldLabel(locale, field string) string {
	field = listIndex.ReplaceAllString(field, "")
	if l, ok := catalog[locale]["field."+field]; ok {
		return l
	}
	if l, ok := catalog[LocaleZH]["field."+field]; ok && locale == LocaleZH {
		return l
	}
	return field
}

// labelScopes names what a route's fields are about where a field's plain label would mislead:
// "name" is a person's name (姓名) on most routes, but a place's or a group's name on these.
var labelScopes = map[string]string{
	API + "/communities":                    "community",
	API + "/communities/:cid":               "community",
	API + "/communities/:cid/compounds":     "compound",
	API + "/compounds/:id":                  "compound",
	API + "/compounds/:id/buildings":        "building",
	API + "/communities/:cid/organizations": "organization",
}

// scopedFieldLabel names a field as the route's scope calls it ("field.compound.name"), else as
// fieldLabel does.
func scopedFieldLabel(locale, scope, field string) string {
	if scope != "" {
		key := "field." + scope + "." + listIndex.ReplaceAllString(field, "")
		if l, ok := catalog[locale][key]; ok {
			return l
		}
	}
	return fieldLabel(locale, field)
}

// catalogClashes lists the keys a feature's messages tried to give again (a bug:
// TestI18n_Catalog fails on any); the first message given stays.
var catalogClashes []string

// addMessages merges a feature's messages (locale → key → message) into the catalog; name says
// whose they are in a clash.
func addMessages(name string, m map[string]map[string]string) {
	for loc, msgs := range m {
		for k, v := range msgs {
			if _, dup := catalog[loc][k]; dup {
				catalogClashes = append(catalogClashes, name+": "+loc+" "+k)
				continue
			}
			catalog[loc][k] = v
		}
	}
}

// catalog holds every message the server sends to people. Keys: "title.<code>" for problem
// titles, "<reason>" for details, "rule.<rule>" for field rules, "field.<name>" for field labels.
var catalog = map[string]map[string]string{
	LocaleZH: {
		"idempotency_key_reused":     "这个 Idempotency-Key 已用于另一张不同的卡片。",
		"card_withdrawn":             "这张卡片已被作者撤回。",
		"own_card":                   "不能举报自己的卡片。",
		"rule.card_too_long":         "卡片最多300个字，请精简一下",
		"rule.unknown_origin":        "卡片来源不正确",
		"rule.photo_not_found":       "找不到这张照片，请重新上传",
		"rule.photo_too_large":       "照片不能超过10MB",
		"rule.photo_type":            "只能上传 JPG、PNG 或 WebP 格式的照片",
		"rule.photo_corrupt":         "这张照片打不开，请换一张",
		"field.body":                 "卡片内容",
		"field.origin":               "来源",
		"field.author_name":          "作者姓名",
		"field.photo_id":             "照片",
		"field.file":                 "照片",
		"field.Idempotency-Key":      "Idempotency-Key",
		"phase_closed":               "本期月月谈现在处于「{phase}」阶段，不能进行这个操作。",
		"phase_skip":                 "阶段只能一步一步往前走：现在是「{phase}」，不能直接到「{to}」。",
		"topic_not_selected":         "请先确定本期议题，再开始征集解法。",
		"not_verified":               "您的身份还没有核验，网格员核验后就可以参与了。",
		"topic_closed":               "这个议题已经合并、选定或不予采纳，不能再这样操作。",
		"phase.planning":             "确定小区",
		"phase.topic_collection":     "议题征集",
		"phase.topic_selection":      "议题确定",
		"phase.card_collection":      "广征解法",
		"phase.round_table":          "圆桌会议",
		"phase.resolved":             "形成决议",
		"phase.closed":               "归档",
		"phase.cancelled":            "已取消",
		"rule.month_format":          "月份格式应为 2026-12 这样",
		"rule.cycle_exists":          "这个月已经有一期月月谈了",
		"rule.not_a_facilitator":     "主持人必须是本社区的主持人或管理员",
		"rule.reason_required":       "请写明原因",
		"rule.unknown_phase":         "没有这个阶段",
		"rule.unknown_source":        "议题来源不正确",
		"rule.offline_source_needed": "替居民录入议题时，请选择议题来源（走访、热线等）",
		"rule.not_a_member":          "这个人不是本社区成员",
		"rule.unknown_status":        "状态不正确",
		"rule.merge_into_self":       "不能把议题合并到它自己",
		"rule.topic_not_in_cycle":    "这个议题不属于本期月月谈",
		"field.month":                "月份",
		"field.reason":               "原因",
		"field.to":                   "目标阶段",
		"field.source":               "来源",
		"field.proposer_id":          "提议人",
		"field.title":                "标题",
		"field.description":          "说明",
		"field.status":               "状态",
		"field.into_topic_id":        "合并到的议题",
		"field.topic_id":             "议题",
		"field.facilitator_id":       "主持人",
		"meeting_already_started":    "会议已经开始了。",
		"meeting_not_started":        "会议还没开始，请先开始会议。",
		"meeting_ended":              "这次会议已经结束了。",
		"rule.join_code_unknown":     "签到码不对，或者会议已经结束，请核对后再试",
		"rule.user_or_name":          "请从成员名单里选一位，或者填写来宾姓名（二选一）",
		"rule.card_not_in_cycle":     "有卡片不属于本期月月谈",
		"rule.datetime":              "时间格式不对，应为 2026-12-20T19:30:00+08:00 这样",
		"field.starts_at":            "开始时间",
		"field.location":             "地点",
		"field.agenda":               "议程",
		"field.agenda.title":         "议程标题",
		"field.agenda.minutes":       "议程时长（分钟）",
		"field.minutes":              "会议纪要",
		"field.minutes.summary":      "纪要内容",
		"field.minutes.card_ids":     "纪要关联的卡片",
		"field.summary":              "纪要内容",
		"field.card_ids":             "关联的卡片",
		"field.quorum":               "法定人数",
		"field.speech_seconds":       "每次发言时长（秒）",
		"field.speeches_per_item":    "每人每项发言次数",
		"field.code":                 "签到码",
		"field.method":               "签到方式",
		"field.user_id":              "成员",
		"wall_topic_not_selected":    "本期还没有确定议题，大屏上没有议题可以显示。",
		"rule.unknown_mode":          "大屏没有这种显示内容",
		"rule.message_mode_only":     "只有「显示文字」时才需要填写文字",
		"rule.message_too_long":      "大屏文字最多200个字，请精简一下",
		"rule.cluster_required":      "请选择要投到大屏的分组",
		"rule.cluster_mode_only":     "只有投屏「一组卡片」时才需要选择分组",
		"rule.cluster_unknown":       "这个分组不在本次会议的卡片墙上",
		"field.mode":                 "大屏显示内容",
		"field.message":              "大屏文字",
		"cluster_dissolved":          "这个分组已经解散了，请刷新卡片墙。",
		"card_not_visible":           "这张卡片已被隐藏或撤回，不能分组。",
		"rule.label_too_long":        "分组名称最多30个字",
		"rule.out_of_range":          "位置超出了范围",
		"rule.cluster_other_cycle":   "这个分组不属于这张卡片所在的那期月月谈",
		"rule.loose_no_position":     "放回未分组的卡片时不用填位置",
		"field.label":                "分组名称",
		"field.cluster_id":           "分组",
		"not_signed_in":              "请先签到，再举手发言。",
		"speech_limit":               "这一项议程每人最多发言{limit}次，已经讲满了。",
		"someone_speaking":           "现在有人正在发言，请等他讲完。",
		"slot_not_waiting":           "这次发言已经不在排队中了。",
		"slot_not_speaking":          "这次发言不在进行中。",
		"rule.agenda_item_unknown":   "议程里没有这一项",
		"field.stance":               "立场",
		"field.position":             "位置",
		"title.invalid":              "输入有误",
		"title.not_found":            "没有找到",
		"title.conflict":             "操作冲突",
		"title.unauthorized":         "请先登录",
		"title.forbidden":            "没有权限",
		"title.too_many":             "操作太频繁",
		"title.internal":             "服务器出错了",
		"title.bad_request":          "请求格式有误",
		"title.too_large":            "内容太大",
		"title.unsupported":          "不支持的内容类型",
		"title.method":               "不支持的操作",
		"title.unavailable":          "暂时无法服务",

		"rule.unknown_seat_kind":        "没有这种席位类型，请从列表里选",
		"rule.seat_kind_required":       "请选择席位类型",
		"rule.seat_label_required":      "请填写席位名称，比如「一楼住户代表」",
		"rule.seat_label_too_long":      "席位名称最多30个字",
		"rule.seat_taken":               "已经在本次会议的席位名单里了，不用重复邀请",
		"seat_removed":                  "这个席位已经撤掉了，请刷新席位名单。",
		"field.invitee":                 "邀请对象",
		"field.invitee.user_id":         "邀请的成员",
		"field.invitee.organization_id": "邀请的组织",
		"field.invitee.name":            "来宾姓名",

		"internal":                       "服务器出了点问题，请稍后再试。如果一直这样，请联系社区工作人员。",
		"not_found":                      "您要找的内容不存在，或者您没有查看它的权限。",
		"route_not_found":                "没有这个接口。",
		"shutting_down":                  "服务器正在关闭，请稍后再试。",
		"forbidden":                      "您的角色不能进行这个操作。",
		"login_required":                 "请先登录。",
		"bad_credentials":                "手机号或密码不对，请再试一次。",
		"session_ended":                  "登录已过期，请重新登录。",
		"token_reused":                   "为了您的账号安全，这次登录已失效，请重新登录。",
		"login_locked":                   "尝试次数太多，请{minutes}分钟后再试。",
		"invalid_input":                  "请检查标红的内容。",
		"malformed_json":                 "请求内容不是有效的 JSON。",
		"unknown_field":                  "请求里有不认识的字段：{field}。",
		"body_too_large":                 "提交的内容太大了。",
		"json_required":                  "请以 JSON 格式提交。",
		"method_not_allowed":             "这个接口不支持该操作。",
		"last_admin":                     "社区至少要保留一位管理员，请先指定另一位管理员。",
		"bad_id":                         "编号格式不对。",
		"bad_cursor":                     "翻页参数不对，请从第一页重新开始。",
		"rule.required":                  "请填写{field}",
		"rule.min":                       "{field}至少需要{param}个字",
		"rule.max":                       "{field}最多{param}个字",
		"rule.min_number":                "{field}不能小于{param}",
		"rule.max_number":                "{field}不能大于{param}",
		"rule.gt":                        "{field}必须大于{param}",
		"rule.oneof":                     "{field}只能是：{param}",
		"rule.cnphone":                   "请填写正确的11位手机号",
		"rule.invalid":                   "{field}格式不对",
		"rule.type":                      "{field}的类型不对",
		"rule.consent_required":          "请阅读并同意隐私说明后再注册",
		"rule.community_exists":          "已经有同名的社区了",
		"rule.compound_exists":           "这个社区已经有同名的小区了",
		"rule.building_exists":           "这个小区已经有同名的楼栋了",
		"rule.household_exists":          "这个楼栋已经有这个房号了",
		"rule.organization_exists":       "已经有同名的组织了",
		"rule.building_not_in_compound":  "这个楼栋不属于该小区",
		"rule.household_not_in_compound": "这个房号不属于所选小区",
		"rule.household_not_found":       "找不到这个房号",
		"rule.compound_not_found":        "找不到这个小区",
		"rule.community_not_found":       "找不到这个社区",
		"rule.organization_not_found":    "找不到这个组织",
		"rule.phone_taken":               "这个手机号已经注册过了，请直接登录",
		"rule.already_member":            "这个人已经是本社区成员了",
		"rule.required_for_new_user":     "新用户需要设置初始密码",
		"rule.unknown_role":              "角色不正确",
		"rule.unknown_kind":              "组织类型不正确",
		"rule.wrong_password":            "密码不对",
		"rule.cannot_verify_self":        "不能核验自己的身份，请请其他工作人员核验",
		"rule.duplicate_skill":           "特长有重复",
		"rule.min_items":                 "{field}至少选{param}项",
		"rule.max_items":                 "{field}最多{param}项",

		"field.phone":             "手机号",
		"field.name":              "姓名",
		"field.community.name":    "社区名称",
		"field.compound.name":     "小区名称",
		"field.building.name":     "楼栋名称",
		"field.organization.name": "组织名称",
		"field.password":          "密码",
		"field.community_id":      "社区",
		"field.community":         "社区",
		"field.compound_id":       "小区",
		"field.household_id":      "房号",
		"field.building_id":       "楼栋",
		"field.privacy_consent":   "隐私说明",
		"field.street":            "街道",
		"field.district":          "区",
		"field.city":              "城市",
		"field.address":           "地址",
		"field.room":              "房号",
		"field.area":              "面积",
		"field.roles":             "角色",
		"field.skills":            "特长",
		"field.work_unit":         "工作单位",
		"field.organization_id":   "所属组织",
		"field.kind":              "类型",
		"field.locale":            "语言",
		"field.verified":          "核验状态",
		"field.limit":             "每页条数",
		"field.after":             "起始编号",
		"field.role":              "角色",
		"field.q":                 "搜索词",
		"field.cursor":            "翻页参数",
	},
	LocaleEN: {
		"idempotency_key_reused":     "This Idempotency-Key was already used for a different card.",
		"card_withdrawn":             "The author has withdrawn this card.",
		"own_card":                   "You cannot report your own card.",
		"rule.card_too_long":         "A card holds at most 300 characters; please shorten it",
		"rule.unknown_origin":        "Unknown card origin",
		"rule.photo_not_found":       "Photo not found; please upload it again",
		"rule.photo_too_large":       "A photo must be at most 10 MB",
		"rule.photo_type":            "Only JPEG, PNG or WebP photos are accepted",
		"rule.photo_corrupt":         "This photo cannot be opened; please try another",
		"field.body":                 "Card text",
		"field.origin":               "Origin",
		"field.author_name":          "Author's name",
		"field.photo_id":             "Photo",
		"field.file":                 "Photo",
		"field.Idempotency-Key":      "Idempotency-Key",
		"phase_closed":               "This month's talk is in the \"{phase}\" phase, which does not allow this.",
		"phase_skip":                 "Phases move one step at a time: it is \"{phase}\" now and cannot jump to \"{to}\".",
		"topic_not_selected":         "Select this month's topic before collecting solutions.",
		"not_verified":               "Your identity has not been verified yet; you can take part once a grid worker verifies it.",
		"topic_closed":               "This topic was merged, selected or rejected and cannot be changed this way.",
		"phase.planning":             "Choosing the compound",
		"phase.topic_collection":     "Collecting topics",
		"phase.topic_selection":      "Selecting the topic",
		"phase.card_collection":      "Collecting solutions",
		"phase.round_table":          "Round table",
		"phase.resolved":             "Resolved",
		"phase.closed":               "Archived",
		"phase.cancelled":            "Cancelled",
		"rule.month_format":          "Month must look like 2026-12",
		"rule.cycle_exists":          "This month already has a cycle",
		"rule.not_a_facilitator":     "The facilitator must be a facilitator or admin of this community",
		"rule.reason_required":       "Please give a reason",
		"rule.unknown_phase":         "Unknown phase",
		"rule.unknown_source":        "Unknown topic source",
		"rule.offline_source_needed": "When entering a topic for a resident, choose where it came from (home visit, hotline, …)",
		"rule.not_a_member":          "This person is not a member of the community",
		"rule.unknown_status":        "Unknown status",
		"rule.merge_into_self":       "A topic cannot be merged into itself",
		"rule.topic_not_in_cycle":    "This topic is not part of this cycle",
		"field.month":                "Month",
		"field.reason":               "Reason",
		"field.to":                   "Target phase",
		"field.source":               "Source",
		"field.proposer_id":          "Proposer",
		"field.title":                "Title",
		"field.description":          "Description",
		"field.status":               "Status",
		"field.into_topic_id":        "Topic to merge into",
		"field.topic_id":             "Topic",
		"field.facilitator_id":       "Facilitator",
		"meeting_already_started":    "The meeting has already started.",
		"meeting_not_started":        "The meeting has not started yet; start it first.",
		"meeting_ended":              "This meeting has ended.",
		"rule.join_code_unknown":     "This sign-in code is wrong or its meeting has ended; please check it and try again",
		"rule.user_or_name":          "Choose a member from the list or type a guest's name (one of the two)",
		"rule.card_not_in_cycle":     "A card is not part of this cycle",
		"rule.datetime":              "Use a time like 2026-12-20T19:30:00+08:00",
		"field.starts_at":            "Start time",
		"field.location":             "Place",
		"field.agenda":               "Agenda",
		"field.agenda.title":         "Agenda item",
		"field.agenda.minutes":       "Agenda item length (minutes)",
		"field.minutes":              "Minutes",
		"field.minutes.summary":      "Minutes summary",
		"field.minutes.card_ids":     "Cards in the minutes",
		"field.summary":              "Summary",
		"field.card_ids":             "Cards",
		"field.quorum":               "Quorum",
		"field.speech_seconds":       "Speech length (seconds)",
		"field.speeches_per_item":    "Speeches per person per item",
		"field.code":                 "Sign-in code",
		"field.method":               "Sign-in method",
		"field.user_id":              "Member",
		"wall_topic_not_selected":    "This month's topic has not been selected, so there is no topic to show on the wall.",
		"rule.unknown_mode":          "The wall cannot show this",
		"rule.message_mode_only":     "A message is only needed when the wall shows a message",
		"rule.message_too_long":      "A wall message holds at most 200 characters; please shorten it",
		"rule.cluster_required":      "Please choose the group to show on the wall",
		"rule.cluster_mode_only":     "A group is only needed when the wall shows one group",
		"rule.cluster_unknown":       "This group is not on this meeting's card wall",
		"field.mode":                 "What the wall shows",
		"field.message":              "Wall message",
		"cluster_dissolved":          "This group has been dissolved; please refresh the card wall.",
		"card_not_visible":           "This card is hidden or withdrawn and cannot be grouped.",
		"rule.label_too_long":        "A group label has at most 30 characters",
		"rule.out_of_range":          "The position is out of range",
		"rule.cluster_other_cycle":   "This group is not part of the card's cycle",
		"rule.loose_no_position":     "A card going back to the loose pile takes no position",
		"field.label":                "Group label",
		"field.cluster_id":           "Group",
		"not_signed_in":              "Please sign in to the meeting before asking to speak.",
		"speech_limit":               "Each person may speak {limit} times on this agenda item, and has done so already.",
		"someone_speaking":           "Someone is speaking now; let them finish first.",
		"slot_not_waiting":           "This turn is no longer waiting in the queue.",
		"slot_not_speaking":          "This turn is not being spoken now.",
		"rule.agenda_item_unknown":   "The agenda has no such item",
		"field.stance":               "Stance",
		"field.position":             "Position",
		"title.invalid":              "Invalid input",
		"title.not_found":            "Not found",
		"title.conflict":             "Conflict",
		"title.unauthorized":         "Please log in",
		"title.forbidden":            "Not allowed",
		"title.too_many":             "Too many attempts",
		"title.internal":             "Internal error",
		"title.bad_request":          "Bad request",
		"title.too_large":            "Too large",
		"title.unsupported":          "Unsupported content type",
		"title.method":               "Method not allowed",
		"title.unavailable":          "Temporarily unavailable",

		"rule.unknown_seat_kind":        "There is no such kind of seat; choose one from the list",
		"rule.seat_kind_required":       "Please choose the kind of seat",
		"rule.seat_label_required":      "Please name the seat, e.g. \"ground-floor residents\"",
		"rule.seat_label_too_long":      "A seat's name has at most 30 characters",
		"rule.seat_taken":               "Already has a seat at this meeting; no need to invite them twice",
		"seat_removed":                  "This seat has been removed; please refresh the list of seats.",
		"field.invitee":                 "Invitee",
		"field.invitee.user_id":         "Invited member",
		"field.invitee.organization_id": "Invited organization",
		"field.invitee.name":            "Guest's name",

		"internal":                       "Something went wrong on our side. Please try again later, or contact the community office if it keeps happening.",
		"not_found":                      "What you asked for does not exist, or you may not see it.",
		"route_not_found":                "There is no such endpoint.",
		"shutting_down":                  "The server is shutting down; please try again in a moment.",
		"forbidden":                      "Your role does not allow this.",
		"login_required":                 "Please log in first.",
		"bad_credentials":                "The phone number or password is wrong. Please try again.",
		"session_ended":                  "Your session has ended. Please log in again.",
		"token_reused":                   "To keep your account safe this session was ended. Please log in again.",
		"login_locked":                   "Too many attempts. Please try again in {minutes} minutes.",
		"invalid_input":                  "Please check the highlighted fields.",
		"malformed_json":                 "The request body is not valid JSON.",
		"unknown_field":                  "The request has a field we do not know: {field}.",
		"body_too_large":                 "The request body is too large.",
		"json_required":                  "Please send JSON.",
		"method_not_allowed":             "This endpoint does not support that method.",
		"last_admin":                     "A community needs at least one admin. Make someone else admin first.",
		"bad_id":                         "The id is not valid.",
		"bad_cursor":                     "The page cursor is not valid; start again from the first page.",
		"rule.required":                  "{field} is required",
		"rule.min":                       "{field} must be at least {param} characters",
		"rule.max":                       "{field} must be at most {param} characters",
		"rule.min_number":                "{field} must be at least {param}",
		"rule.max_number":                "{field} must be at most {param}",
		"rule.gt":                        "{field} must be greater than {param}",
		"rule.oneof":                     "{field} must be one of: {param}",
		"rule.cnphone":                   "Enter an 11-digit mobile number",
		"rule.invalid":                   "{field} is not valid",
		"rule.type":                      "{field} has the wrong type",
		"rule.consent_required":          "Please read and accept the privacy notice to register",
		"rule.community_exists":          "A community with this name already exists",
		"rule.compound_exists":           "This community already has a compound with this name",
		"rule.building_exists":           "This compound already has a building with this name",
		"rule.household_exists":          "This building already has this room",
		"rule.organization_exists":       "An organization with this name already exists",
		"rule.building_not_in_compound":  "This building is not in the compound",
		"rule.household_not_in_compound": "This room is not in the chosen compound",
		"rule.household_not_found":       "No such room",
		"rule.compound_not_found":        "No such compound",
		"rule.community_not_found":       "No such community",
		"rule.organization_not_found":    "No such organization",
		"rule.phone_taken":               "This phone number is already registered; please log in",
		"rule.already_member":            "This person is already a member of the community",
		"rule.required_for_new_user":     "A new user needs an initial password",
		"rule.unknown_role":              "Unknown role",
		"rule.unknown_kind":              "Unknown organization kind",
		"rule.wrong_password":            "Wrong password",
		"rule.cannot_verify_self":        "You cannot verify yourself; ask another staff member",
		"rule.duplicate_skill":           "A skill is listed twice",
		"rule.min_items":                 "{field} needs at least {param} items",
		"rule.max_items":                 "{field} has at most {param} items",

		"field.phone":             "Phone",
		"field.name":              "Name",
		"field.community.name":    "Community name",
		"field.compound.name":     "Compound name",
		"field.building.name":     "Building name",
		"field.organization.name": "Organization name",
		"field.password":          "Password",
		"field.community_id":      "Community",
		"field.community":         "Community",
		"field.compound_id":       "Compound",
		"field.household_id":      "Room",
		"field.building_id":       "Building",
		"field.privacy_consent":   "Privacy notice",
		"field.street":            "Street",
		"field.district":          "District",
		"field.city":              "City",
		"field.address":           "Address",
		"field.room":              "Room",
		"field.area":              "Area",
		"field.roles":             "Roles",
		"field.skills":            "Skills",
		"field.work_unit":         "Work unit",
		"field.organization_id":   "Organization",
		"field.kind":              "Kind",
		"field.locale":            "Language",
		"field.verified":          "Verification",
		"field.limit":             "Page size",
		"field.after":             "Start id",
		"field.role":              "Role",
		"field.q":                 "Search",
		"field.cursor":            "Page cursor",
	},
}
