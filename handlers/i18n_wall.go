package handlers

// The messages of the card wall's pages (docs/wall.md): the page a facilitator holds on the
// projector. Merged into the catalog by addMessages.
func init() {
	addMessages("wall", wallCatalog)
}

var wallCatalog = map[string]map[string]string{
	LocaleZH: {
		"field.page":               "大屏页码",
		"rule.wall_page_range":     "页码应在0到99之间（0表示自动翻页）",
		"rule.wall_page_mode_only": "只有投屏「卡片墙」或「一组卡片」时才能选页",
	},
	LocaleEN: {
		"field.page":               "Wall page",
		"rule.wall_page_range":     "The page must be between 0 and 99 (0 turns the pages automatically)",
		"rule.wall_page_mode_only": "A page can only be chosen while the wall shows the card wall or one group",
	},
}
