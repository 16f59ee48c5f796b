package handlers

// The wall's poll mode's messages, merged into the catalog of i18n.go when the package starts
// by addMessages; a key given twice is a bug that TestI18n_Catalog reports.
func init() { addMessages("projector poll", projectorPollCatalog) }

var projectorPollCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.poll_required":  "请选择要投到大屏的投票",
		"rule.poll_mode_only": "只有投屏「投票」时才需要选择投票",
		"rule.poll_unknown":   "这个投票不是本次会议的投票",
	},
	LocaleEN: {
		"rule.poll_required":  "Please choose the poll to show on the wall",
		"rule.poll_mode_only": "A poll is only needed when the wall shows a poll",
		"rule.poll_unknown":   "This poll is not one of this meeting's polls",
	},
}
