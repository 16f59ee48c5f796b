package handlers

// Messages of sessions, registration limits and membership invitations, merged into the catalog
// in i18n.go by addMessages.
func init() { addMessages("sessions", sessionsCatalog) }

var sessionsCatalog = map[string]map[string]string{
	LocaleZH: {
		"register_limited": "这里注册的账号太多了，请{minutes}分钟后再试，或请社区工作人员帮您添加。",

		"rule.initial_password_required": "请设置初始密码；对方如果已有账号，仍用自己原来的密码登录",
		"invitation_closed":              "这个邀请已经处理过或已过期了。",
		"invitation_withdrawn":           "发出邀请的管理员已不再管理这个社区，请联系社区重新邀请。",
		"already_member":                 "您已经是这个社区的成员了。",
	},
	LocaleEN: {
		"register_limited": "Too many accounts were registered from here. Please try again in {minutes} minutes, or ask the community office to add you.",

		"rule.initial_password_required": "Set an initial password; if the person already has an account, they keep logging in with their own",
		"invitation_closed":              "This invitation was already answered or has expired.",
		"invitation_withdrawn":           "The admin who sent this invitation no longer runs the community. Please ask the community to invite you again.",
		"already_member":                 "You are already a member of this community.",
	},
}
