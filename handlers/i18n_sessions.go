package handlers

// Messages of sessions, registration limits and membership invitations, merged into the catalog
// in i18n.go by addMessages.
func init() { addMessages("sessions", sessionsCatalog) }

var sessionsCatalog = map[string]map[string]string{
	LocaleZH: {
		"register_limited": "这里注册的账号太多了，请{minutes}分钟后再试，或请社区工作人员帮您添加。",
	},
	LocaleEN: {
		"register_limited": "Too many accounts were registered from here. Please try again in {minutes} minutes, or ask the community office to add you.",
	},
}
