package handlers

// The wall's poll mode's messages, merged into the catalog of i18n.go when the package starts
// as the poll engine's are (i18n_poll.go); a key the catalog already has keeps its message.
func init() {
	for loc, msgs := range projectorPollCatalog {
		for k, v := range msgs {
			if _, ok := catalog[loc][k]; !ok {
				catalog[loc][k] = v
			}
		}
	}
}

var projectorPollCatalog = map[string]map[string]string{
	LocaleZH: {
		"rule.poll_required":  "请选择要投到大屏的投票",
		"rule.poll_mode_only": "只有投屏「投票」时才需要选择投票",
		"rule.poll_unknown":   "这个投票不是本次会议的投票",
		"field.poll_id":       "表决",
	},
	LocaleEN: {
		"rule.poll_required":  "Please choose the poll to show on the wall",
		"rule.poll_mode_only": "A poll is only needed when the wall shows a poll",
		"rule.poll_unknown":   "This poll is not one of this meeting's polls",
		"field.poll_id":       "Vote",
	},
}
