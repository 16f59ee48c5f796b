package handlers

// The messages of the card wall's pages (docs/wall.md): the page a facilitator holds on the
// projector. Merged into the catalog by addMessages.
func init() {
	addMessages("wall", wallCatalog)
}

var wallCatalog = map[string]map[string]string{
	LocaleZH: {
		"field.page":                     "大屏页码",
		"rule.wall_page_range":           "页码应在0到99之间（0表示自动翻页）",
		"rule.wall_page_mode_only":       "只有投屏「卡片墙」或「一组卡片」时才能选页",
		"rule.wall_resolution_required":  "请选择要投到大屏的决议",
		"rule.wall_resolution_mode_only": "只有投屏「决议」时才需要选择决议",
		"rule.wall_resolution_unknown":   "这项决议不属于本次会议",
	},
	LocaleEN: {
		"field.page":                     "Wall page",
		"rule.wall_page_range":           "The page must be between 0 and 99 (0 turns the pages automatically)",
		"rule.wall_page_mode_only":       "A page can only be chosen while the wall shows the card wall or one group",
		"rule.wall_resolution_required":  "Please choose the resolution to show on the wall",
		"rule.wall_resolution_mode_only": "A resolution is only needed when the wall shows a resolution",
		"rule.wall_resolution_unknown":   "This resolution is not one of this meeting's",
	},
}
