package handlers

// Messages of operations — database outages, backups — merged into the catalog in i18n.go by
// addMessages (docs/operations.md).
func init() { addMessages("ops", opsCatalog) }

var opsCatalog = map[string]map[string]string{
	LocaleZH: {
		"unavailable": "系统暂时连不上数据库，您这次的操作没有保存。请稍等几秒，页面会自动重试。",
	},
	LocaleEN: {
		"unavailable": "The system cannot reach its database right now and your change was not saved. Please wait a few seconds; the page will try again by itself.",
	},
}
